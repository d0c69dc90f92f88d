package loomproxy.tls.der;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The few DER encodings (ITU-T X.690 §10) that an X.509 v3 certificate (the demo's CA) and a PKCS#8
 * key wrapper need; {@link Der} reads. Every method returns one
 * complete tag-length-value, so a certificate is written as nested calls that mirror its ASN.1.
 * The JDK can parse certificates but has no public API to write them, hence this class.
 */
public final class DerWriter {
    private static final int BOOLEAN = 0x01;
    private static final int INTEGER = 0x02;
    private static final int BIT_STRING = 0x03;
    private static final int OCTET_STRING = 0x04;
    private static final int NULL = 0x05;
    private static final int OBJECT_IDENTIFIER = 0x06;
    private static final int UTF8_STRING = 0x0c;
    private static final int UTC_TIME = 0x17;
    private static final int GENERALIZED_TIME = 0x18;
    private static final int SEQUENCE = 0x30;
    private static final int SET = 0x31;
    private static final int CONTEXT_PRIMITIVE = 0x80;
    private static final int CONTEXT_CONSTRUCTED = 0xa0;

    private static final DateTimeFormatter UTC_TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    /** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on. */
    private static final Instant FIRST_GENERALIZED_TIME = Instant.parse("2050-01-01T00:00:00Z");

    private DerWriter() {
    }

    public static byte[] sequence(byte[]... elements) {
        return tlv(SEQUENCE, concat(elements));
    }

    /** A SET OF with exactly one element: DER's sort order (X.690 §11.6) cannot be violated. */
    public static byte[] set(byte[] element) {
        return tlv(SET, element);
    }

    public static byte[] integer(BigInteger value) {
        // toByteArray() is already the minimal two's-complement form X.690 §8.3.2 asks for.
        return tlv(INTEGER, value.toByteArray());
    }

    /** ASN.1 NULL, as in an RSA AlgorithmIdentifier's parameters. */
    public static byte[] nul() {
        return tlv(NULL, new byte[0]);
    }

    public static byte[] bool(boolean value) {
        return tlv(BOOLEAN, new byte[] {(byte) (value ? 0xff : 0x00)}); // X.690 §11.1: TRUE is 0xFF
    }

    public static byte[] octetString(byte[] value) {
        return tlv(OCTET_STRING, value);
    }

    /** A BIT STRING holding whole bytes, such as a signature. */
    public static byte[] bitString(byte[] value) {
        return tlv(BIT_STRING, concat(new byte[] {0}, value));
    }

    /**
     * A named-bit BIT STRING such as KeyUsage: bit 0 is the most significant bit of the first byte,
     * and X.690 §11.2.2 requires trailing zero bits to be dropped, so the length depends on the
     * highest bit set.
     */
    public static byte[] namedBits(int... bits) {
        if (bits.length == 0) {
            return tlv(BIT_STRING, new byte[] {0});
        }
        int highest = 0;
        for (int bit : bits) {
            highest = Math.max(highest, bit);
        }
        byte[] content = new byte[1 + highest / 8 + 1];
        for (int bit : bits) {
            content[1 + bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        content[0] = (byte) (7 - highest % 8); // unused bits in the last byte
        return tlv(BIT_STRING, content);
    }

    public static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        var out = new ByteArrayOutputStream();
        // X.690 §8.19.4: the first two arcs share one subidentifier.
        writeBase128(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            writeBase128(out, Long.parseLong(arcs[i]));
        }
        return tlv(OBJECT_IDENTIFIER, out.toByteArray());
    }

    public static byte[] utf8String(String value) {
        return tlv(UTF8_STRING, value.getBytes(StandardCharsets.UTF_8));
    }

    /** An X.509 Time (RFC 5280 §4.1.2.5) to whole seconds, always in UTC with a literal Z. */
    public static byte[] time(Instant instant) {
        boolean utc = instant.isBefore(FIRST_GENERALIZED_TIME);
        String text = (utc ? UTC_TIME_FORMAT : GENERALIZED_TIME_FORMAT).format(instant);
        return tlv(utc ? UTC_TIME : GENERALIZED_TIME, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code [tag] EXPLICIT}: the inner encoding wrapped whole in a constructed context tag. */
    public static byte[] explicit(int tag, byte[] inner) {
        return tlv(CONTEXT_CONSTRUCTED | tag, inner);
    }

    /** {@code [tag] IMPLICIT} over a primitive type: the context tag replaces the type's own tag. */
    public static byte[] implicit(int tag, byte[] content) {
        return tlv(CONTEXT_PRIMITIVE | tag, content);
    }

    public static byte[] tlv(int tag, byte[] content) {
        var out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        writeLength(out, content.length);
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** X.690 §10.1: the short form below 128, otherwise the fewest length bytes possible. */
    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
            return;
        }
        int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
        out.write(0x80 | bytes);
        for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
            out.write(length >>> shift);
        }
    }

    private static void writeBase128(ByteArrayOutputStream out, long value) {
        int groups = Math.max(1, (Long.SIZE - Long.numberOfLeadingZeros(value) + 6) / 7);
        for (int group = groups - 1; group > 0; group--) {
            out.write((int) (0x80 | (value >>> (group * 7)) & 0x7f));
        }
        out.write((int) (value & 0x7f));
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}

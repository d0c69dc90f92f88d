package loomproxy.tls.trust;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Just enough of a DER (ITU-T X.690) reader for the two extensions whose content the JDK gives
 * only lossily or not at all: nameConstraints (no public accessor) and the iPAddress entries of
 * subjectAltName (their length, 4 or 16, is lost in the JDK's text). Single-byte tags and definite
 * lengths, as DER requires of both. Any other input is {@link Malformed}, never a runtime exception.
 */
final class Der {
    static final int OCTET_STRING = 0x04;
    static final int SEQUENCE = 0x30;

    private Der() {}

    /** Bytes that are not the DER expected; the message says what was wrong, never the bytes. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    /** One tag-length-value element; {@code content} is the value without tag and length. */
    record Tlv(int tag, byte[] content) {
        List<Tlv> elements() throws Malformed {
            return readAll(content);
        }

        Tlv expect(int expectedTag, String what) throws Malformed {
            if (tag != expectedTag) {
                throw new Malformed(String.format("expected %s (tag 0x%02x), found tag 0x%02x", what, expectedTag, tag));
            }
            return this;
        }
    }

    /**
     * The value of a certificate's extension, unwrapped from the OCTET STRING that
     * {@link X509Certificate#getExtensionValue} returns; empty when the extension is absent.
     */
    static Optional<byte[]> extension(X509Certificate cert, String oid) throws Malformed {
        byte[] wrapped = cert.getExtensionValue(oid);
        if (wrapped == null) {
            return Optional.empty();
        }
        return Optional.of(read(wrapped).expect(OCTET_STRING, "an extension's OCTET STRING").content());
    }

    /** Exactly one element that spans all of {@code der}. */
    static Tlv read(byte[] der) throws Malformed {
        List<Tlv> values = readAll(der);
        if (values.size() != 1) {
            throw new Malformed("expected one element, found " + values.size());
        }
        return values.get(0);
    }

    /** Consecutive elements that together span all of {@code der}. */
    static List<Tlv> readAll(byte[] der) throws Malformed {
        List<Tlv> values = new ArrayList<>();
        int position = 0;
        while (position < der.length) {
            int tag = der[position++] & 0xFF;
            if ((tag & 0x1F) == 0x1F) {
                throw new Malformed("a multi-byte tag");
            }
            if (position >= der.length) {
                throw new Malformed("truncated before a length");
            }
            int first = der[position++] & 0xFF;
            long length = first;
            if (first >= 0x80) {
                int count = first & 0x7F;
                if (count == 0 || count > 4 || count > der.length - position) {
                    throw new Malformed("an indefinite, oversized or truncated length");
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (der[position++] & 0xFF);
                }
            }
            if (length > der.length - position) {
                throw new Malformed("a length of " + length + " runs past the end");
            }
            values.add(new Tlv(tag, Arrays.copyOfRange(der, position, position + (int) length)));
            position += (int) length;
        }
        return values;
    }
}

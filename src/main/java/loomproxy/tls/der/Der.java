package loomproxy.tls.der;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Just enough of an ASN.1 DER (ITU-T X.690) reader for what the JDK does not read for us: PKCS#1 and
 * SEC1 private keys (unwrapped here, re-wrapped into PKCS#8 by {@link DerWriter}), encrypted keys'
 * parameters, and the certificate extensions the verifier needs whole (nameConstraints, which has no
 * accessor, and subjectAltName's iPAddress entries, whose length the JDK's text loses). Single-byte
 * tags and definite lengths only, as DER requires for all of these; anything else is
 * {@link Malformed}, never a runtime exception. {@link #checkNesting} reads BER too, to bound the
 * nesting of what the JDK's own parsers are given.
 */
public final class Der {
    public static final int INTEGER = 0x02;
    public static final int BIT_STRING = 0x03;
    public static final int OCTET_STRING = 0x04;
    public static final int NULL = 0x05;
    public static final int OID = 0x06;
    public static final int SEQUENCE = 0x30;
    /** Context-specific, constructed {@code [0]} (explicit tagging), as in SEC1 {@code parameters}. */
    public static final int CONTEXT_0 = 0xA0;
    /**
     * How deep constructed elements may nest: OpenSSL's limit (ASN1_MAX_CONSTRUCTED_NEST in
     * crypto/asn1/tasn_dec.c), far above the ten or so levels of a real key or certificate. The JDK has
     * none that matters: it converts each nested BER indefinite length on its own (DerIndefLenConverter),
     * in time quadratic in the depth, so 40,000 levels took over a second and a few megabytes would take
     * hours; JDK 17's X509Factory even recursed once per level into a StackOverflowError.
     */
    public static final int MAX_DEPTH = 30;
    /**
     * The JDK's own limit (sun.security.util.ObjectIdentifier.MAXIMUM_OID_SIZE); real OIDs stay under
     * 80 octets. Decoding costs time quadratic in a subidentifier's length, so without a limit one long
     * arc in a key file holds startup for minutes.
     */
    public static final int MAX_OID_OCTETS = 4096;

    private Der() {}

    /** Bytes that are not the DER a caller expected; the message says what was wrong, never the bytes. */
    public static class Malformed extends Exception {
        public Malformed(String message) {
            super(message);
        }
    }

    /** Constructed elements nested deeper than {@link #MAX_DEPTH}. */
    public static final class TooDeep extends Malformed {
        TooDeep() {
            super("constructed elements nested more than " + MAX_DEPTH + " deep, which OpenSSL refuses too");
        }
    }

    /** One tag-length-value element; {@code content} is the value without tag and length. */
    public record Value(int tag, byte[] content) {
        /** The elements of a SEQUENCE (or an explicit tag's single inner element). */
        public List<Value> elements() throws Malformed {
            return readAll(content);
        }

        /** Element {@code index} of this SEQUENCE, which must exist and carry {@code expectedTag}. */
        public Value element(int index, int expectedTag, String what) throws Malformed {
            List<Value> all = elements();
            if (index >= all.size()) {
                throw new Malformed("missing " + what);
            }
            return all.get(index).expect(expectedTag, what);
        }

        public Value expect(int expectedTag, String what) throws Malformed {
            if (tag != expectedTag) {
                throw new Malformed(String.format("expected %s with tag 0x%02x, found tag 0x%02x", what, expectedTag, tag));
            }
            return this;
        }

        /** The dotted form of an OBJECT IDENTIFIER (X.690 8.19). */
        public String oid() throws Malformed {
            expect(OID, "an OBJECT IDENTIFIER");
            if (content.length == 0 || (content[content.length - 1] & 0x80) != 0) {
                throw new Malformed("truncated OBJECT IDENTIFIER");
            }
            if (content.length > MAX_OID_OCTETS) {
                throw new Malformed("OBJECT IDENTIFIER of " + content.length + " octets, over the " + MAX_OID_OCTETS
                        + " an OID may have");
            }
            StringBuilder dotted = new StringBuilder();
            BigInteger arc = BigInteger.ZERO;
            for (byte b : content) {
                arc = arc.shiftLeft(7).or(BigInteger.valueOf(b & 0x7F));
                if ((b & 0x80) == 0) {
                    appendArc(dotted, arc);
                    arc = BigInteger.ZERO;
                }
            }
            return dotted.toString();
        }

        public byte[] encoded() {
            return DerWriter.tlv(tag, content);
        }

        private static void appendArc(StringBuilder dotted, BigInteger arc) {
            if (!dotted.isEmpty()) {
                dotted.append('.').append(arc);
                return;
            }
            // The first subidentifier packs the first two arcs as 40 * first + second.
            int first = arc.compareTo(BigInteger.valueOf(80)) >= 0 ? 2 : arc.intValue() / 40;
            dotted.append(first).append('.').append(arc.subtract(BigInteger.valueOf(40L * first)));
        }
    }

    /**
     * The value of a certificate's extension, unwrapped from the OCTET STRING that
     * {@link X509Certificate#getExtensionValue} returns; empty when the extension is absent.
     */
    public static Optional<byte[]> extension(X509Certificate cert, String oid) throws Malformed {
        byte[] wrapped = cert.getExtensionValue(oid);
        if (wrapped == null) {
            return Optional.empty();
        }
        return Optional.of(read(wrapped).expect(OCTET_STRING, "an extension's OCTET STRING").content());
    }

    /** Exactly one element that spans all of {@code der}. */
    public static Value read(byte[] der) throws Malformed {
        List<Value> values = readAll(der);
        if (values.size() != 1) {
            throw new Malformed("expected one element, found " + values.size());
        }
        return values.get(0);
    }

    /** Consecutive elements that together span all of {@code der}. */
    public static List<Value> readAll(byte[] der) throws Malformed {
        List<Value> values = new ArrayList<>();
        Cursor cursor = new Cursor(der);
        while (cursor.position < der.length) {
            values.add(cursor.next());
        }
        return values;
    }

    /**
     * Walks the first element of {@code der}, BER as the JDK and OpenSSL read it (definite lengths, and
     * indefinite ones closed by end-of-contents octets), and refuses constructed elements nested deeper
     * than {@link #MAX_DEPTH} or an element that does not fit the one around it; bytes after the first
     * element are not looked at. The JDK also parses DER held in OCTET and BIT STRINGs (a PKCS#8 key's
     * privateKey, a certificate's extension values and RSA public key), so their contents are walked too,
     * one level down, and refused only when they nest too deep: random bytes (a hash, a signature) would
     * have to look like thirty-one nested headers for that. One pass, no recursion, linear time.
     */
    public static void checkNesting(byte[] der) throws Malformed {
        walk(der, 0, der.length, true);
    }

    private static void walk(byte[] der, int from, int to, boolean intoStrings) throws Malformed {
        Cursor cursor = new Cursor(der, from, to);
        int[] limits = new int[MAX_DEPTH];
        boolean[] indefinite = new boolean[MAX_DEPTH];
        int depth = 0;
        do {
            int tag = cursor.anyTag();
            boolean constructed = (tag & 0x20) != 0;
            int length = cursor.berLength(constructed);
            if (constructed) {
                if (depth == MAX_DEPTH) {
                    throw new TooDeep();
                }
                limits[depth] = cursor.limit;
                indefinite[depth++] = length < 0;
                cursor.limit = length < 0 ? cursor.limit : cursor.position + length;
            } else {
                // A BIT STRING's content starts with its count of unused bits (X.690 8.6.2).
                int skip = tag == BIT_STRING ? 1 : 0;
                if (intoStrings && (tag == OCTET_STRING || tag == BIT_STRING) && length > skip
                        && nestsTooDeep(der, cursor.position + skip, length - skip)) {
                    throw new TooDeep();
                }
                cursor.position += length;
            }
            while (depth > 0 && (indefinite[depth - 1] ? cursor.endOfContents() : cursor.position == cursor.limit)) {
                cursor.limit = limits[--depth];
            }
        } while (depth > 0);
    }

    /** Whether a string's content walks into nesting too deep; false where it is no BER (a hash, a key). */
    private static boolean nestsTooDeep(byte[] der, int from, int length) {
        try {
            walk(der, from, from + length, false);
            return false;
        } catch (TooDeep e) {
            return true;
        } catch (Malformed notBer) {
            return false;
        }
    }

    /** Walks tag-length-value elements, checking every length against the bytes that remain before {@code limit}. */
    private static final class Cursor {
        private final byte[] der;
        private int position;
        private int limit;

        Cursor(byte[] der) {
            this(der, 0, der.length);
        }

        Cursor(byte[] der, int from, int to) {
            this.der = der;
            this.position = from;
            this.limit = to;
        }

        Value next() throws Malformed {
            int tag = anyTag();
            if ((tag & 0x1F) == 0x1F) {
                throw new Malformed("multi-byte tags are not used by key formats");
            }
            int length = length();
            Value value = new Value(tag, Arrays.copyOfRange(der, position, position + length));
            position += length;
            return value;
        }

        /** The first octet of a tag, skipping the rest of a multi-byte one (X.690 8.1.2.4). */
        private int anyTag() throws Malformed {
            if (position >= limit) {
                throw new Malformed("no element where one was expected");
            }
            int tag = der[position++] & 0xFF;
            if ((tag & 0x1F) == 0x1F) {
                while (position < limit && (der[position++] & 0x80) != 0) {
                    // subsequent tag octets: bit 8 set on all but the last
                }
            }
            return tag;
        }

        /** A length, or -1 for an indefinite one, which BER allows on constructed elements only (X.690 8.1.3.2). */
        private int berLength(boolean constructed) throws Malformed {
            if (constructed && position < limit && der[position] == (byte) 0x80) {
                position++;
                return -1;
            }
            return length();
        }

        /** Consumes the end-of-contents octets that close an indefinite length, if they come next. */
        private boolean endOfContents() {
            if (limit - position >= 2 && der[position] == 0 && der[position + 1] == 0) {
                position += 2;
                return true;
            }
            return false;
        }

        private int length() throws Malformed {
            if (position >= limit) {
                throw new Malformed("truncated before a length");
            }
            int first = der[position++] & 0xFF;
            if (first == 0x80) {
                throw new Malformed("indefinite length, which DER forbids");
            }
            long length = first;
            if (first > 0x80) {
                int count = first & 0x7F;
                if (count > 4 || count > limit - position) {
                    throw new Malformed("unsupported or truncated length");
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (der[position++] & 0xFF);
                }
            }
            if (length > limit - position) {
                throw new Malformed("length " + length + " runs past the end of the data");
            }
            return (int) length;
        }
    }
}

package loomproxy.tls.pem;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Just enough of an ASN.1 DER (ITU-T X.690) reader to unwrap private keys: the JDK reads PKCS#8 only,
 * so PKCS#1 and SEC1 keys are unwrapped here and re-wrapped into a PKCS#8 {@code PrivateKeyInfo} by
 * {@link DerWriter}. Single-byte tags and definite lengths only, as DER requires for everything these
 * formats contain.
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** Context-specific, constructed {@code [0]} (explicit tagging), as in SEC1 {@code parameters}. */
    static final int CONTEXT_0 = 0xA0;
    /**
     * The JDK's own limit (sun.security.util.ObjectIdentifier.MAXIMUM_OID_SIZE); real OIDs stay under
     * 80 octets. Decoding costs time quadratic in a subidentifier's length, so without a limit one long
     * arc in a key file holds startup for minutes.
     */
    static final int MAX_OID_OCTETS = 4096;

    private Der() {}

    /** Bytes that are not the DER a caller expected; the message says what was wrong, never the bytes. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    /** One tag-length-value element; {@code content} is the value without tag and length. */
    record Value(int tag, byte[] content) {
        /** The elements of a SEQUENCE (or an explicit tag's single inner element). */
        List<Value> elements() throws Malformed {
            return readAll(content);
        }

        /** Element {@code index} of this SEQUENCE, which must exist and carry {@code expectedTag}. */
        Value element(int index, int expectedTag, String what) throws Malformed {
            List<Value> all = elements();
            if (index >= all.size()) {
                throw new Malformed("missing " + what);
            }
            return all.get(index).expect(expectedTag, what);
        }

        Value expect(int expectedTag, String what) throws Malformed {
            if (tag != expectedTag) {
                throw new Malformed(String.format("expected %s with tag 0x%02x, found tag 0x%02x", what, expectedTag, tag));
            }
            return this;
        }

        /** The dotted form of an OBJECT IDENTIFIER (X.690 8.19). */
        String oid() throws Malformed {
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

        byte[] encoded() {
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

    /** Exactly one element that spans all of {@code der}. */
    static Value read(byte[] der) throws Malformed {
        List<Value> values = readAll(der);
        if (values.size() != 1) {
            throw new Malformed("expected one element, found " + values.size());
        }
        return values.get(0);
    }

    /** Consecutive elements that together span all of {@code der}. */
    static List<Value> readAll(byte[] der) throws Malformed {
        List<Value> values = new ArrayList<>();
        Cursor cursor = new Cursor(der);
        while (cursor.position < der.length) {
            values.add(cursor.next());
        }
        return values;
    }

    /** Walks tag-length-value elements, checking every length against the bytes that remain. */
    private static final class Cursor {
        private final byte[] der;
        private int position;

        Cursor(byte[] der) {
            this.der = der;
        }

        Value next() throws Malformed {
            int tag = der[position++] & 0xFF;
            if ((tag & 0x1F) == 0x1F) {
                throw new Malformed("multi-byte tags are not used by key formats");
            }
            int length = length();
            Value value = new Value(tag, Arrays.copyOfRange(der, position, position + length));
            position += length;
            return value;
        }

        private int length() throws Malformed {
            if (position >= der.length) {
                throw new Malformed("truncated before a length");
            }
            int first = der[position++] & 0xFF;
            long length = first;
            if (first >= 0x80) {
                int count = first & 0x7F;
                if (count == 0 || count > 4 || count > der.length - position) {
                    throw new Malformed("unsupported or truncated length");
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (der[position++] & 0xFF);
                }
            }
            if (length > der.length - position) {
                throw new Malformed("length " + length + " runs past the end of the data");
            }
            return (int) length;
        }
    }
}

package loomproxy.tls.der;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DerTest {
    @Test
    void encodesAndDecodesObjectIdentifiers() throws Der.Malformed {
        // rsaEncryption as every PKCS#8 RSA key carries it (RFC 8017 appendix C).
        assertEquals("06092a864886f70d010101", HexFormat.of().formatHex(DerWriter.oid("1.2.840.113549.1.1.1")));
        for (String oid : List.of("1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.101.112", "2.16.840.1.101.3.4.1.42", "2.999.3")) {
            assertEquals(oid, Der.read(DerWriter.oid(oid)).oid());
        }
    }

    @Test
    void usesLongFormLengthsAbove127Bytes() throws Der.Malformed {
        for (int size : new int[] {0, 127, 128, 255, 256, 70_000}) {
            byte[] encoded = DerWriter.octetString(new byte[size]);
            assertArrayEquals(new byte[size], Der.read(encoded).expect(Der.OCTET_STRING, "octets").content());
        }
        // X.690 8.1.3.5: 256 needs the long form with two length octets.
        assertEquals("04820100", HexFormat.of().formatHex(DerWriter.octetString(new byte[256]), 0, 4));
        assertEquals("047f", HexFormat.of().formatHex(DerWriter.octetString(new byte[127]), 0, 2));
    }

    @Test
    void readsNestedSequences() throws Der.Malformed {
        byte[] der = DerWriter.sequence(DerWriter.integer(java.math.BigInteger.ZERO), DerWriter.sequence(DerWriter.oid("1.3.101.112")));
        Der.Value algorithm = Der.read(der).element(1, Der.SEQUENCE, "AlgorithmIdentifier");
        assertEquals("1.3.101.112", algorithm.element(0, Der.OID, "algorithm").oid());
        assertArrayEquals(der, Der.read(der).encoded());
    }

    @Test
    void rejectsTruncatedTrailingAndMissingElements() {
        byte[] sequence = DerWriter.sequence(DerWriter.integer(java.math.BigInteger.ONE));
        byte[] truncated = Arrays.copyOf(sequence, sequence.length - 1);
        assertThrows(Der.Malformed.class, () -> Der.read(truncated));
        byte[] trailing = Arrays.copyOf(sequence, sequence.length + 2);
        assertThrows(Der.Malformed.class, () -> Der.read(trailing));
        assertThrows(Der.Malformed.class, () -> Der.read(sequence).element(1, Der.INTEGER, "second"));
        assertThrows(Der.Malformed.class, () -> Der.read(sequence).element(0, Der.OID, "an OID"));
    }

    /** Found by fuzzing (see PrivateKeysFuzzTest): decoding a long subidentifier took time quadratic in its length. */
    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesObjectIdentifiersOverTheJdksLimitAtOnce() throws Der.Malformed {
        byte[] arc = new byte[100_000];
        Arrays.fill(arc, (byte) 0xFF);
        arc[arc.length - 1] = 0x01;
        Der.Malformed e = assertThrows(Der.Malformed.class, () -> Der.read(DerWriter.tlv(Der.OID, arc)).oid());
        assertEquals("OBJECT IDENTIFIER of 100000 octets, over the 4096 an OID may have", e.getMessage());
        byte[] longest = Arrays.copyOfRange(arc, arc.length - 4096, arc.length);
        assertTrue(Der.read(DerWriter.tlv(Der.OID, longest)).oid().startsWith("2."), "the longest OID allowed still decodes");
    }

    @Test
    void checkNestingReadsBerUpToOpensslsDepthAndLooksIntoStrings() throws Der.Malformed {
        Der.checkNesting(DerMutations.wrap(DerWriter.nul(), Der.MAX_DEPTH, false));
        Der.checkNesting(DerMutations.wrap(DerWriter.nul(), Der.MAX_DEPTH, true)); // BER: indefinite lengths
        Der.checkNesting(HexFormat.of().parseHex("3f81220230000500ffff")); // a multi-byte tag; bytes after it
        Der.checkNesting(DerWriter.octetString(HexFormat.of().parseHex("3080ffff"))); // a string of no BER
        assertThrows(Der.TooDeep.class, () -> Der.checkNesting(DerMutations.wrap(DerWriter.nul(), Der.MAX_DEPTH + 1, true)));
        byte[] deep = DerMutations.wrap(DerWriter.nul(), Der.MAX_DEPTH + 1, false);
        assertThrows(Der.TooDeep.class, () -> Der.checkNesting(DerWriter.sequence(DerWriter.octetString(deep))));
        assertThrows(Der.TooDeep.class, () -> Der.checkNesting(DerWriter.bitString(deep)));
        // An indefinite primitive, a child overrunning its parent, a missing end-of-contents, nothing at all.
        for (String notBer : List.of("04800000", "3003300205000000", "30803080050000", "")) {
            assertThrows(Der.Malformed.class, () -> Der.checkNesting(HexFormat.of().parseHex(notBer)), notBer);
        }
    }
}

package loomproxy.tls.der;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Known encodings from X.690 and from certificates written by OpenSSL. */
class DerWriterTest {
    private static String hex(byte[] der) {
        return HexFormat.of().formatHex(der);
    }

    @Test
    void objectIdentifiersUseBase128WithTheFirstTwoArcsJoined() {
        assertEquals("06082a8648ce3d040302", hex(DerWriter.oid("1.2.840.10045.4.3.2")));
        assertEquals("0603551d13", hex(DerWriter.oid("2.5.29.19")));
    }

    @Test
    void integersAreMinimalTwosComplement() {
        assertEquals("020100", hex(DerWriter.integer(BigInteger.ZERO)));
        assertEquals("02020080", hex(DerWriter.integer(BigInteger.valueOf(0x80)))); // sign byte kept
        assertEquals("02017f", hex(DerWriter.integer(BigInteger.valueOf(0x7f))));
    }

    @Test
    void lengthsSwitchToTheLongFormAt128() {
        assertEquals("047f", hex(DerWriter.octetString(new byte[127])).substring(0, 4));
        assertEquals("048180", hex(DerWriter.octetString(new byte[128])).substring(0, 6));
        assertEquals("04820100", hex(DerWriter.octetString(new byte[256])).substring(0, 8));
    }

    @Test
    void namedBitsDropTrailingZeroBits() {
        assertEquals("03020780", hex(DerWriter.namedBits(0)));       // digitalSignature
        assertEquals("03020106", hex(DerWriter.namedBits(5, 6)));    // keyCertSign, cRLSign
        assertEquals("0303070080", hex(DerWriter.namedBits(8)));     // decipherOnly
    }

    @Test
    void timesAreUtcTimeBefore2050AndGeneralizedTimeAfter() {
        assertEquals("170d3439313233313233353935395a", hex(DerWriter.time(Instant.parse("2049-12-31T23:59:59Z"))));
        assertEquals("180f32303530303130313030303030305a", hex(DerWriter.time(Instant.parse("2050-01-01T00:00:00Z"))));
    }

    @Test
    void booleansAndTagsFollowDer() {
        assertEquals("0101ff", hex(DerWriter.bool(true)));
        assertEquals("a003020102", hex(DerWriter.explicit(0, DerWriter.integer(BigInteger.TWO))));
        assertEquals("87047f000001", hex(DerWriter.implicit(7, new byte[] {127, 0, 0, 1})));
    }
}

package loomproxy.tls.der;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The reader as the verifier uses it on certificate extensions: nothing a peer sends makes it throw anything but Malformed. */
class DerReaderTest {
    @Test
    void readsNestedElements() throws Der.Malformed {
        Der.Value sequence = Der.read(new byte[] {0x30, 0x06, (byte) 0x82, 0x01, 'a', (byte) 0x87, 0x01, 7});
        List<Der.Value> names = sequence.expect(Der.SEQUENCE, "GeneralNames").elements();
        assertEquals(2, names.size());
        assertEquals(0x87, names.get(1).tag());
        assertArrayEquals(new byte[] {7}, names.get(1).content());
        byte[] longForm = new byte[3 + 200];
        longForm[0] = 0x04;
        longForm[1] = (byte) 0x81;
        longForm[2] = (byte) 200;
        assertEquals(200, Der.read(longForm).content().length);
    }

    @Test
    void rejectsWhatIsNotDer() {
        for (byte[] bad : List.of(new byte[] {0x30}, new byte[] {0x30, 0x05, 1}, new byte[] {0x1F, 0x01, 0},
                new byte[] {0x30, (byte) 0x80, 0, 0}, new byte[] {0x30, (byte) 0x85, 1, 1, 1, 1, 1},
                new byte[] {0x30, (byte) 0x84, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, new byte[0],
                new byte[] {0x30, 0x00, 0x30, 0x00})) {
            assertThrows(Der.Malformed.class, () -> Der.read(bad));
        }
        assertThrows(Der.Malformed.class, () -> Der.read(new byte[] {0x31, 0}).expect(Der.SEQUENCE, "a SEQUENCE"));
    }

    @Test
    void randomBytesAreReadOrMalformedNeverAnythingElse() {
        Random random = new Random(6125);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(12)];
            random.nextBytes(bytes);
            try {
                for (Der.Value tlv : Der.readAll(bytes)) {
                    tlv.elements();
                }
            } catch (Der.Malformed expected) {
                // fine: the only failure allowed
            }
        }
    }
}

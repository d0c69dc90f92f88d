package loomproxy.testkit;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Plain byte-level mutations (AFL's havoc stage in miniature), deterministic for a given
 * {@link SplittableRandom}: the structure-aware mutators of each format fall back on these.
 */
public final class Mutate {
    /** Bytes that mean something to DER or PEM: lengths (0x80 indefinite, 0x84 four-byte), tags, line ends. */
    private static final byte[] INTERESTING = {0x00, (byte) 0xFF, 0x7F, (byte) 0x80, (byte) 0x81, (byte) 0x82,
            (byte) 0x84, (byte) 0x88, 0x30, 0x02, 0x04, 0x06, (byte) 0xA0, '\n', '\r', '-', ':', ',', '=', 0x1F};

    private Mutate() {}

    /** One to four stacked mutations of {@code input}; {@code donor} supplies spliced bytes. */
    public static byte[] bytes(SplittableRandom random, byte[] input, byte[] donor) {
        byte[] out = input;
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            out = once(random, out, donor);
        }
        return out;
    }

    private static byte[] once(SplittableRandom random, byte[] in, byte[] donor) {
        if (in.length == 0) {
            return insert(in, 0, randomBytes(random, 1 + random.nextInt(8)));
        }
        int at = random.nextInt(in.length);
        return switch (random.nextInt(8)) {
            case 0 -> set(in, at, (byte) (in[at] ^ (1 << random.nextInt(8))));
            case 1 -> set(in, at, INTERESTING[random.nextInt(INTERESTING.length)]);
            case 2 -> set(in, at, (byte) random.nextInt(256));
            case 3 -> insert(in, at, randomBytes(random, 1 + random.nextInt(16)));
            case 4 -> delete(in, at, at + random.nextInt(Math.min(64, in.length - at) + 1));
            case 5 -> insert(in, at, Arrays.copyOfRange(in, at, at + random.nextInt(Math.min(64, in.length - at) + 1)));
            case 6 -> Arrays.copyOf(in, at);
            default -> splice(random, in, at, donor);
        };
    }

    private static byte[] set(byte[] in, int at, byte value) {
        byte[] out = in.clone();
        out[at] = value;
        return out;
    }

    private static byte[] insert(byte[] in, int at, byte[] extra) {
        byte[] out = new byte[in.length + extra.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(in, at, out, at + extra.length, in.length - at);
        return out;
    }

    private static byte[] delete(byte[] in, int from, int to) {
        byte[] out = new byte[in.length - (to - from)];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(in, to, out, from, in.length - to);
        return out;
    }

    /** Replaces the tail from {@code at} with a tail of the donor: two valid halves that do not fit. */
    private static byte[] splice(SplittableRandom random, byte[] in, int at, byte[] donor) {
        if (donor.length == 0) {
            return Arrays.copyOf(in, at);
        }
        int from = random.nextInt(donor.length);
        byte[] out = Arrays.copyOf(in, at + donor.length - from);
        System.arraycopy(donor, from, out, at, donor.length - from);
        return out;
    }

    public static byte[] randomBytes(SplittableRandom random, int count) {
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = (byte) random.nextInt(256);
        }
        return out;
    }
}

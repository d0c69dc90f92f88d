package loomproxy.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic mutations of configuration files, byte- and line-wise, with the characters the
 * reader treats specially and the values the parsers bound. The same random source gives the same
 * input, so a failure is reproduced from its index alone.
 */
final class ConfigMutator {
    /** Inputs stay below this, so a run's memory and time stay bounded whatever the dice say. */
    static final int MAX_INPUT = 60_000;
    /**
     * The longest run {@link #longRun} inserts: long enough that quadratic work shows as seconds (a
     * regular expression that backtracked took 0.4 s on 6 KB, 27 s on 38 KB), short enough for
     * ten thousand inputs to run in a few seconds.
     */
    private static final int LONG_RUN = 20_000;

    private static final String[] TOKENS = {
        "\\", "\\\\", "\\u", "\\u00", "\\uZZZZ", "\\u000a", "\\u000d", "\\u0000", "\\u2028", "\\uD800", "\\n", "\\r",
        "\\t", "\\f", "\\ ", "\\=", "\\:", "=", ":", "#", "!", " ", "\t", "\f", ",", ", ,", "$", "${", "$}", "[", "]",
        "[::", "%", "*:", ".", "server.", "upstream.", "log_format.", "server.x.", "\u0000", "\r", "\n", "\r\n",
        "\u0085", "\u2028", "\u2029", "\u001b[31m", "\uFEFF", "\u00e9", "\uff11", "\ud83d\ude00", "\u202e",
        "99999999999999999999", "2147483648", "2147483647", "4294967296", "9223372036854775807",
        "9223372036854775808", "106752d", "25d", "24d20h31m23s648ms", "8589934593", "9g", "65537k", "-1", "0",
        "weight=", "backup", "down", "ms", "s", "k", "g", "on", "off", "=on", "backlog=", "so_keepalive=on",
    };

    /** Values put after a line's key: the forms each parser accepts, their edges, and near misses. */
    private static final String[] VALUES = {
        "0", "1", "65535", "65536", "on", "off", "ON", "yes", "5s", "500ms", "1m30s", "1w", "25d", "2147483647ms",
        "24855d3h14m7s", "24855d3h14m8s", "16k", "64m", "65m", "8g", "8589934593", "2147483647", "2147483648",
        "h:1", "[::1]:1", "[::1", "[]:1", "::1:80", "a b", "a,b", "a:1 weight=2147483647, b:2 weight=2147483647",
        "a:1 fail_timeout=500ms", "a:1 backup", "a:1 max_conns=0 max_fails=0 down", "*:0", "0", "1 backlog=0",
        "1 so_keepalive=1:2:3", "TLSv1.3 TLSv9", "stdout nope", "off", "stderr debug", "stderr loud", "x y z",
        "$status $nope ${remote_addr} $", "Ciphersuites", "Groups X25519", "/dev/null", "\\u0000", "a # b",
        "HIGH:!aNULL:@STRENGTH", "ALL:-ALL:+RSA", "!", "@SECLEVEL=9", "+", "::,, :", "-DEFAULT", "TLS_AES_128_GCM_SHA256",
        "Ciphersuites TLS_NOPE", "Groups X25519:", "Curves secp999", "Options -x",
        "[" + ":".repeat(5000) + "x]:1", "[" + "1:".repeat(3000) + "%" + "e".repeat(3000) + "!]:1",
    };

    private final List<byte[]> seeds;

    ConfigMutator(List<byte[]> seeds) {
        this.seeds = List.copyOf(seeds);
    }

    /** Input number {@code index}: one seed with one to five mutations. */
    byte[] input(long index) {
        SplittableRandom random = new SplittableRandom(0x1005_cafeL * 31 + index);
        byte[] data = seeds.get(random.nextInt(seeds.size()));
        int mutations = 1 + random.nextInt(5);
        for (int i = 0; i < mutations; i++) {
            data = mutate(data, random);
            if (data.length > MAX_INPUT) {
                data = Arrays.copyOf(data, MAX_INPUT);
            }
        }
        return data;
    }

    private byte[] mutate(byte[] data, SplittableRandom random) {
        return switch (random.nextInt(16)) {
            case 0 -> flipBit(data, random);
            case 1 -> insert(data, random.nextInt(data.length + 1), randomBytes(random));
            case 2 -> deleteRange(data, random);
            case 3 -> duplicateRange(data, random);
            case 4, 5, 13, 14 -> insert(data, random.nextInt(data.length + 1), utf8(TOKENS[random.nextInt(TOKENS.length)]));
            case 6 -> lines(data, random, Op.DELETE);
            case 7 -> lines(data, random, Op.DUPLICATE);
            case 8 -> lines(data, random, Op.SWAP);
            case 9 -> lines(data, random, Op.SPLICE);
            case 10, 11 -> lines(data, random, Op.VALUE);
            case 12 -> longRun(data, random);
            default -> Arrays.copyOf(data, random.nextInt(data.length + 1));
        };
    }

    private static byte[] flipBit(byte[] data, SplittableRandom random) {
        if (data.length == 0) {
            return data;
        }
        byte[] out = data.clone();
        out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        return out;
    }

    /** Arbitrary bytes: invalid UTF-8 (lone continuation, overlong, surrogate, 0xFF) as often as not. */
    private static byte[] randomBytes(SplittableRandom random) {
        byte[][] invalid = {{(byte) 0x80}, {(byte) 0xC3}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xFF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}};
        if (random.nextBoolean()) {
            return invalid[random.nextInt(invalid.length)];
        }
        byte[] out = new byte[1 + random.nextInt(4)];
        random.nextBytes(out);
        return out;
    }

    private static byte[] deleteRange(byte[] data, SplittableRandom random) {
        if (data.length == 0) {
            return data;
        }
        int from = random.nextInt(data.length);
        int to = Math.min(data.length, from + 1 + random.nextInt(16));
        return concat(Arrays.copyOfRange(data, 0, from), Arrays.copyOfRange(data, to, data.length));
    }

    private static byte[] duplicateRange(byte[] data, SplittableRandom random) {
        if (data.length == 0) {
            return data;
        }
        int from = random.nextInt(data.length);
        int to = Math.min(data.length, from + 1 + random.nextInt(32));
        return insert(data, to, Arrays.copyOfRange(data, from, to));
    }

    /**
     * A long line: one character or a short slice of the input repeated, usually up to 2,000 bytes and
     * one time in eight up to {@link #LONG_RUN}, which keeps the total small and still reaches the size
     * where quadratic work shows.
     */
    private static byte[] longRun(byte[] data, SplittableRandom random) {
        byte[] unit;
        if (data.length > 0 && random.nextBoolean()) {
            int from = random.nextInt(data.length);
            unit = Arrays.copyOfRange(data, from, Math.min(data.length, from + 1 + random.nextInt(8)));
        } else {
            unit = utf8(TOKENS[random.nextInt(TOKENS.length)]);
        }
        int length = random.nextInt(8) == 0 ? LONG_RUN : 2_000;
        int times = 1 + random.nextInt(Math.max(1, length / unit.length));
        return insert(data, random.nextInt(data.length + 1), repeat(unit, times));
    }

    private enum Op { DELETE, DUPLICATE, SWAP, SPLICE, VALUE }

    /** Line-wise mutations; lines keep their own terminators, so CR and CR LF files stay what they were. */
    private byte[] lines(byte[] data, SplittableRandom random, Op op) {
        List<byte[]> lines = split(data);
        if (lines.isEmpty()) {
            return data;
        }
        int i = random.nextInt(lines.size());
        switch (op) {
            case DELETE -> lines.remove(i);
            case DUPLICATE -> lines.add(random.nextInt(lines.size() + 1), lines.get(i));
            case SWAP -> {
                int j = random.nextInt(lines.size());
                byte[] t = lines.get(i);
                lines.set(i, lines.get(j));
                lines.set(j, t);
            }
            case SPLICE -> {
                List<byte[]> other = split(seeds.get(random.nextInt(seeds.size())));
                if (!other.isEmpty()) {
                    lines.add(i, other.get(random.nextInt(other.size())));
                }
            }
            case VALUE -> lines.set(i, withValue(lines.get(i), VALUES[random.nextInt(VALUES.length)]));
        }
        return concat(lines.toArray(byte[][]::new));
    }

    /** The line's key kept, its value replaced (a line without {@code =} gets one). */
    private static byte[] withValue(byte[] line, String value) {
        String text = new String(line, StandardCharsets.ISO_8859_1);
        int eq = text.indexOf('=');
        String key = eq < 0 ? text.strip() : text.substring(0, eq);
        return concat(key.getBytes(StandardCharsets.ISO_8859_1), utf8("= " + value + "\n"));
    }

    private static List<byte[]> split(byte[] data) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == data.length || data[i + 1] != '\n'))) {
                lines.add(Arrays.copyOfRange(data, start, i + 1));
                start = i + 1;
            }
        }
        if (start < data.length) {
            lines.add(Arrays.copyOfRange(data, start, data.length));
        }
        return lines;
    }

    private static byte[] insert(byte[] data, int at, byte[] bytes) {
        return concat(Arrays.copyOfRange(data, 0, at), bytes, Arrays.copyOfRange(data, at, data.length));
    }

    private static byte[] repeat(byte[] unit, int times) {
        byte[] out = new byte[unit.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(unit, 0, out, i * unit.length, unit.length);
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

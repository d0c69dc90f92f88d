package loomproxy.testkit;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.function.Predicate;

/**
 * Cuts a failing fuzz input down to what still fails (delta debugging by halving chunks), and writes
 * it as a Java literal for the regression test that keeps it.
 */
public interface Shrink<T> {
    int MAX_TRIES = 4_000;

    int length(T input);

    /** The input without the elements {@code [from, to)}. */
    T without(T input, int from, int to);

    String literal(T input);

    Shrink<byte[]> BYTES = new Shrink<>() {
        public int length(byte[] input) {
            return input.length;
        }

        public byte[] without(byte[] input, int from, int to) {
            byte[] out = new byte[input.length - (to - from)];
            System.arraycopy(input, 0, out, 0, from);
            System.arraycopy(input, to, out, from, input.length - to);
            return out;
        }

        /** Text files as a string literal, anything else as hex for HexFormat.parseHex. */
        public String literal(byte[] input) {
            for (byte b : input) {
                if ((b < 0x20 && b != '\n' && b != '\r' && b != '\t') || b == 0x7F) {
                    return "hex \"" + HexFormat.of().formatHex(input) + "\"";
                }
            }
            return STRINGS.literal(new String(input, StandardCharsets.ISO_8859_1));
        }
    };

    Shrink<String> STRINGS = new Shrink<>() {
        public int length(String input) {
            return input.length();
        }

        public String without(String input, int from, int to) {
            return input.substring(0, from) + input.substring(to);
        }

        public String literal(String input) {
            StringBuilder out = new StringBuilder("\"");
            input.chars().forEach(c -> out.append(switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                default -> c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\u%04x", c);
            }));
            return out.append('"').toString();
        }
    };

    /** The smallest input found, by removing ever smaller chunks while {@code fails} still holds. */
    static <T> T smallest(T input, Shrink<T> shrink, Predicate<T> fails) {
        T current = input;
        int tries = 0;
        for (int chunk = Math.max(1, shrink.length(input) / 2); chunk >= 1 && tries < MAX_TRIES; chunk /= 2) {
            for (int from = 0; from + chunk <= shrink.length(current) && tries < MAX_TRIES; tries++) {
                T candidate = shrink.without(current, from, from + chunk);
                if (fails.test(candidate)) {
                    current = candidate;
                } else {
                    from += chunk;
                }
            }
        }
        return current;
    }
}

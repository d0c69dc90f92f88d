package loomproxy.config;

/**
 * Keys and values from the file reach error messages, and the file may hold any character: an
 * escape such as {@code \n} (or one for U+2028) in a value, or a raw U+2029 as a key. A problem must
 * stay one line of the terminal or log it goes to, and a terminal must not take the file's bytes as
 * commands, so control characters, line and paragraph separators and unpaired surrogates are written
 * back as the file's own escapes.
 */
public final class Printable {
    private Printable() {}

    /** Also the escaping of the TLS layer's messages (TlsConfigException, PemException), which quote files and values. */
    public static String escape(String text) {
        if (text.chars().noneMatch(Printable::special)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (special(c)) {
                out.append(switch (c) {
                    case '\n' -> "\\n";
                    case '\r' -> "\\r";
                    case '\t' -> "\\t";
                    case '\f' -> "\\f";
                    default -> String.format("\\u%04X", (int) c);
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Surrogates count as special here; {@link #escape} keeps the ones that form a pair. */
    private static boolean special(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.isSurrogate((char) c);
    }
}

package loomproxy.tls;

/**
 * A TLS setting or file that cannot be used: a one-line message naming the file or value and what to
 * do about it (never key material). The caller attributes it to the directive's {@code FILE:LINE}.
 */
public final class TlsConfigException extends Exception {
    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A configuration value in double quotes, as messages show it: see {@link #printable}. */
    static String quote(String value) {
        return '"' + printable(value) + '"';
    }

    /**
     * A configuration value with its control characters and line separators escaped the way the
     * configuration file writes them (backslash and n, t, r, f, or u and four hex digits): the properties
     * reader decodes those escapes into values, and a message must stay on one line.
     */
    static String printable(String value) {
        StringBuilder out = new StringBuilder(value.length());
        value.chars().forEach(c -> out.append(switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\f' -> "\\f";
            case '\u2028', '\u2029' -> String.format("\\u%04x", c);
            default -> Character.isISOControl(c) ? String.format("\\u%04x", c) : String.valueOf((char) c);
        }));
        return out.toString();
    }
}

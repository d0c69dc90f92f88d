package loomproxy.config;

import java.util.Locale;

/**
 * A {@code log_format.NAME} value, {@code [escape=default|json|none] TEXT}, as NGINX's
 * {@code log_format}. The escaping applies to variable values only, never to the format's own text:
 * {@code default} writes {@code "}, {@code \} and bytes outside printable ASCII as {@code \xHH},
 * {@code json} escapes for a JSON string, {@code none} writes values as they are. Parsed here once,
 * for the loader's check and the access log's compiler alike.
 */
public record LogFormat(Escape escape, String text) {
    public enum Escape { DEFAULT, JSON, NONE }

    private static final String PREFIX = "escape=";

    /** Splits off a leading {@code escape=MODE} word; IllegalArgumentException names what is wrong. */
    public static LogFormat parse(String value) {
        if (!value.startsWith(PREFIX)) {
            return new LogFormat(Escape.DEFAULT, value);
        }
        int end = 0;
        while (end < value.length() && !Character.isWhitespace(value.charAt(end))) {
            end++;
        }
        String mode = value.substring(PREFIX.length(), end);
        Escape escape = switch (mode) {
            case "default", "json", "none" -> Escape.valueOf(mode.toUpperCase(Locale.ROOT));
            default -> throw new IllegalArgumentException("unknown log format escaping \"" + mode
                    + "\", use escape=default, escape=json or escape=none");
        };
        String text = value.substring(end).strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("no format after " + PREFIX + mode + "; write " + PREFIX + mode + " TEXT");
        }
        return new LogFormat(escape, text);
    }
}

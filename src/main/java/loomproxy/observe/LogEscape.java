package loomproxy.observe;

import java.nio.charset.StandardCharsets;

/**
 * What a log line may contain of text that came from outside (SPEC §9): certificate subjects and
 * names, TLS alerts, exception messages, client data. Control characters, DEL and every byte of a
 * non-ASCII character (as UTF-8) are written as {@code \xHH}, NGINX's escaping, so a peer can
 * neither start a forged line with a newline nor hide text behind terminal escapes.
 */
public final class LogEscape {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private LogEscape() {
    }

    public static String escape(String text) {
        if (isPlain(text)) {
            return text; // the common case costs one scan and no allocation
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length + 16);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if (c < 0x20 || c >= 0x7F) {
                out.append("\\x").append(HEX[c >>> 4]).append(HEX[c & 0xF]);
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    /**
     * An access log variable's value with {@code log_format escape=default}, as NGINX's
     * ngx_stream_log_escape: as {@link #escape}, and {@code "} and {@code \} too, so a quoted field
     * can neither end early nor carry an escape of its own.
     */
    public static String accessLogValue(String text) {
        if (isPlain(text) && text.indexOf('"') < 0 && text.indexOf('\\') < 0) {
            return text;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length + 16);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
                out.append("\\x").append(HEX[c >>> 4]).append(HEX[c & 0xF]);
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    /**
     * The inside of a JSON string (RFC 8259 §7), as NGINX's ngx_escape_json for
     * {@code log_format escape=json}: {@code \"}, {@code \\}, the short escapes of control
     * characters ({@code \n} ...) and the six-character {@code u00XX} escape for the others;
     * everything else, non-ASCII included, as it is (the log is written as UTF-8).
     */
    public static String json(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escaped = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> c < 0x20 ? String.format("\\u%04X", (int) c) : null;
            };
            if (escaped != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (escaped != null) {
                    out.append(escaped);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    private static boolean isPlain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }
}

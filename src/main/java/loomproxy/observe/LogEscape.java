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

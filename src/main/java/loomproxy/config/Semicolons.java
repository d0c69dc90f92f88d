package loomproxy.config;

/**
 * NGINX ends every directive with {@code ;}, a properties file ends a value at the line's end, so a
 * {@code ;} carried over from nginx.conf becomes part of the value ({@code on;}, {@code 12345;}, a
 * path ending in {@code ;}) or, after a directive without a value, of the key. No key or value of
 * loomproxy ends in one, so it is refused before any parser sees it (which would report a puzzling
 * "no port" or "cannot read FILE;"), and the file is told why once: the same explanation on every
 * line of a converted nginx.conf would bury the other problems.
 */
final class Semicolons {
    private Semicolons() {}

    static boolean trailing(String text) {
        return text.stripTrailing().endsWith(";");
    }

    /** What to do, with the explanation the first time in a file. */
    static String advice(Problems problems) {
        return problems.firstTime("semicolon") ? ": values end at the line's end; remove the \";\"" : ", remove the \";\"";
    }
}

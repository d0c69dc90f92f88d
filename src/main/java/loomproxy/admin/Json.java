package loomproxy.admin;

/**
 * A small JSON writer (RFC 8259) for the status page: objects, arrays, strings, numbers, booleans
 * and null, with commas placed for the caller. Strings escape the quotation mark and the reverse
 * solidus, control characters (the short forms where RFC 8259 §7 has one, else backslash-u and four
 * hex digits), and an unpaired surrogate the same way, so any Java string becomes valid JSON in
 * valid UTF-8.
 */
final class Json {
    private final StringBuilder out = new StringBuilder(1024);
    /** Per open object or array: does the next value need a comma before it? */
    private final java.util.BitSet needsComma = new java.util.BitSet();
    private int depth;
    private boolean afterName;

    Json beginObject() {
        return open('{');
    }

    Json endObject() {
        return close('}');
    }

    Json beginArray() {
        return open('[');
    }

    Json endArray() {
        return close(']');
    }

    /** The name of the next member of the current object. */
    Json name(String name) {
        separate();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    Json value(String s) {
        separate();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        return this;
    }

    Json value(long n) {
        separate();
        out.append(n);
        return this;
    }

    Json value(boolean b) {
        separate();
        out.append(b);
        return this;
    }

    Json nullValue() {
        separate();
        out.append("null");
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private Json open(char c) {
        separate();
        out.append(c);
        depth++;
        needsComma.clear(depth);
        return this;
    }

    private Json close(char c) {
        out.append(c);
        depth--;
        return this;
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0 && needsComma.get(depth)) {
            out.append(',');
        }
        needsComma.set(depth);
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || unpaired(s, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A surrogate not part of a pair: UTF-8 cannot encode it, so it goes out escaped. */
    private static boolean unpaired(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}

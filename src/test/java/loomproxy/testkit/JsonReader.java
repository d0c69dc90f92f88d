package loomproxy.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 reader for tests: objects become maps (member order kept, duplicate names
 * refused), arrays lists, numbers Long or Double, and true/false/null themselves. Anything else
 * (a trailing comma, a raw control character in a string, a bad escape, text after the value)
 * fails with the offset.
 */
public final class JsonReader {
    private final String text;
    private int i;

    private JsonReader(String text) {
        this.text = text;
    }

    public static Object parse(String text) {
        JsonReader r = new JsonReader(text);
        Object value = r.value();
        r.blanks();
        if (r.i != text.length()) {
            throw r.error("text after the value");
        }
        return value;
    }

    /** {@code parse} then a walk: {@code at(json, "upstreams", 0, "peers")}. */
    @SuppressWarnings("unchecked")
    public static Object at(Object json, Object... path) {
        Object here = json;
        for (Object step : path) {
            here = step instanceof Integer n ? ((List<Object>) here).get(n) : ((Map<String, Object>) here).get(step);
        }
        return here;
    }

    private Object value() {
        blanks();
        if (i >= text.length()) {
            throw error("a value expected");
        }
        char c = text.charAt(i);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> out = new LinkedHashMap<>();
        i++;
        blanks();
        if (peek() == '}') {
            i++;
            return out;
        }
        while (true) {
            blanks();
            if (peek() != '"') {
                throw error("a member name expected");
            }
            String name = string();
            blanks();
            expect(':');
            if (out.containsKey(name)) {
                throw error("duplicate member " + name);
            }
            out.put(name, value());
            blanks();
            if (peek() == ',') {
                i++;
            } else {
                expect('}');
                return out;
            }
        }
    }

    private List<Object> array() {
        List<Object> out = new ArrayList<>();
        i++;
        blanks();
        if (peek() == ']') {
            i++;
            return out;
        }
        while (true) {
            out.add(value());
            blanks();
            if (peek() == ',') {
                i++;
            } else {
                expect(']');
                return out;
            }
        }
    }

    private String string() {
        StringBuilder out = new StringBuilder();
        i++;
        while (true) {
            if (i >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(i++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw error("raw control character in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = text.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    out.append((char) Integer.parseInt(text.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = i;
        while (i < text.length() && "+-0123456789.eE".indexOf(text.charAt(i)) >= 0) {
            i++;
        }
        String n = text.substring(start, i);
        if (!n.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) {
            throw error("bad number " + n);
        }
        return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, i)) {
            throw error("bad literal");
        }
        i += word.length();
        return value;
    }

    private void blanks() {
        while (i < text.length() && " \t\r\n".indexOf(text.charAt(i)) >= 0) {
            i++;
        }
    }

    private char peek() {
        if (i >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(i);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "' expected");
        }
        i++;
    }

    private AssertionError error(String what) {
        return new AssertionError(what + " at offset " + i + " in " + text);
    }
}

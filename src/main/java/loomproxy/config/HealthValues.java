package loomproxy.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code health_check = on | off | [interval=T] [timeout=T] [fails=N] [passes=N] [port=N] [send=TEXT]
 * [expect=TEXT|~REGEX]} (SPEC §11). A TEXT with blanks is double-quoted; its escapes ({@code \r \n
 * \t \\uXXXX}) are the file's own, already decoded by the reader, so what arrives here is the text
 * itself and a quote ends it.
 */
final class HealthValues {
    /** NGINX Plus sends at most what fits its buffer; a probe's request is a line or two. */
    static final int MAX_TEXT = 4096;
    private static final String FORM = "use on, off or interval=T timeout=T fails=N passes=N port=N send=TEXT expect=TEXT|~REGEX";

    private HealthValues() {}

    static Optional<HealthCheck> parse(String value) throws InvalidValueException {
        if (value.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        if (value.equalsIgnoreCase("on")) {
            return Optional.of(HealthCheck.DEFAULTS);
        }
        HealthCheck d = HealthCheck.DEFAULTS;
        Duration interval = d.interval();
        Optional<Duration> timeout = d.timeout();
        int fails = d.fails();
        int passes = d.passes();
        OptionalInt port = d.port();
        Optional<String> send = d.send();
        Optional<HealthCheck.Expect> expect = d.expect();
        List<String> seen = new ArrayList<>();
        for (String param : params(value)) {
            int eq = param.indexOf('=');
            String name = eq < 0 ? param : param.substring(0, eq);
            if (eq < 0) {
                throw new InvalidValueException("invalid parameter \"" + param + "\" in \"" + value + "\", " + FORM);
            }
            if (seen.contains(name)) {
                throw new InvalidValueException("duplicate parameter \"" + name + "\" in \"" + value + "\"");
            }
            seen.add(name);
            String v = unquoted(param.substring(eq + 1));
            switch (name) {
                case "interval" -> interval = Values.positiveDuration(v);
                case "timeout" -> timeout = Optional.of(Values.positiveDuration(v));
                case "fails" -> fails = Values.number(v, 1);
                case "passes" -> passes = Values.number(v, 1);
                case "port" -> port = OptionalInt.of(Values.port(v, param));
                case "send" -> send = Optional.of(text(v, name));
                case "expect" -> expect = Optional.of(expect(text(v, name)));
                default -> throw new InvalidValueException("invalid parameter \"" + param + "\" in \"" + value + "\", " + FORM);
            }
        }
        return Optional.of(new HealthCheck(interval, timeout, fails, passes, port, send, expect));
    }

    /**
     * The blank-separated parameters; a double quote opens a part that runs to the next one, blanks
     * included ({@code send="PING\r\n"}, {@code expect="+OK ready"}).
     */
    private static List<String> params(String value) throws InvalidValueException {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                current.append(c);
            } else if (!quoted && (c == ' ' || c == '\t')) {
                if (!current.isEmpty()) {
                    out.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (quoted) {
            throw new InvalidValueException("unbalanced quote in \"" + value + "\"; a quoted TEXT ends with \"");
        }
        if (!current.isEmpty()) {
            out.add(current.toString());
        }
        return out;
    }

    /** {@code "text"} → {@code text}; a quote anywhere but around the whole value is refused. */
    private static String unquoted(String v) throws InvalidValueException {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            String inner = v.substring(1, v.length() - 1);
            if (inner.indexOf('"') < 0) {
                return inner;
            }
        }
        if (v.indexOf('"') >= 0) {
            throw new InvalidValueException("invalid value " + v + ", quote the whole TEXT: name=\"text\"");
        }
        return v;
    }

    private static String text(String v, String name) throws InvalidValueException {
        if (v.isEmpty()) {
            throw new InvalidValueException("empty " + name + "=; give a text");
        }
        if (v.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT) {
            throw new InvalidValueException(name + "= is longer than " + MAX_TEXT + " bytes");
        }
        return v;
    }

    private static HealthCheck.Expect expect(String v) throws InvalidValueException {
        if (!v.startsWith("~")) {
            return new HealthCheck.Expect(v, null);
        }
        try {
            return new HealthCheck.Expect(null, Pattern.compile(v.substring(1)));
        } catch (PatternSyntaxException e) {
            throw new InvalidValueException("invalid regular expression \"" + v.substring(1) + "\": "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }
}

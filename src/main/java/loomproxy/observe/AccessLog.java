package loomproxy.observe;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import loomproxy.config.LogFormat;

/**
 * The access log: one line per session in a {@code log_format} made of literal text and NGINX
 * stream variables. The format is compiled once (the configuration loader has already refused
 * unknown variables, from {@link loomproxy.config.Logs#VARIABLES}, which this table must match);
 * writing a line only walks the compiled parts. Variable values are escaped as the format's
 * {@code escape=} says ({@link LogFormat}); with the default escaping an empty value prints as "-", as NGINX
 * does.
 */
public final class AccessLog {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT);

    private static final Map<String, Function<SessionFacts, String>> VARIABLES = Map.ofEntries(
            Map.entry("remote_addr", f -> host(f.remote)),
            Map.entry("remote_port", f -> port(f.remote)),
            Map.entry("server_addr", f -> host(f.local)),
            Map.entry("server_port", f -> port(f.local)),
            Map.entry("msec", f -> msec(Instant.now())),
            Map.entry("status", f -> Integer.toString(f.status)),
            Map.entry("bytes_sent", f -> Long.toString(f.bytesSent)),
            Map.entry("bytes_received", f -> Long.toString(f.bytesReceived)),
            Map.entry("session_time", f -> seconds(f.endNanos - f.startNanos)),
            Map.entry("connection", f -> Long.toString(f.connection)),
            Map.entry("upstream_addr", f -> join(f, t -> t.address)),
            Map.entry("upstream_connect_time", f -> join(f, t -> t.connectNanos < 0 ? "-" : seconds(t.connectNanos))),
            Map.entry("upstream_session_time", f -> join(f, t -> t.sessionNanos < 0 ? "-" : seconds(t.sessionNanos))),
            Map.entry("upstream_bytes_sent", f -> join(f, t -> Long.toString(t.bytesSent))),
            Map.entry("upstream_bytes_received", f -> join(f, t -> Long.toString(t.bytesReceived))),
            Map.entry("upstream_ssl_protocol", f -> f.sslProtocol),
            Map.entry("upstream_ssl_cipher", f -> f.sslCipher),
            Map.entry("upstream_ssl_session_reused", f -> f.sslProtocol == null ? null : f.sslReused ? "r" : "."),
            Map.entry("upstream_ssl_name", f -> f.sslName),
            Map.entry("upstream_ssl_verify", f -> f.sslVerify));

    private final List<Function<SessionFacts, String>> parts;
    private final Consumer<String> sink;
    private volatile Stamp stamp = new Stamp(-1, "", "");

    private AccessLog(LogFormat format, Consumer<String> sink) {
        this.parts = parse(format.text(), format.escape());
        this.sink = sink;
    }

    /** Every variable a format may use (tests hold this equal to the loader's list). */
    static java.util.Set<String> variables() {
        java.util.Set<String> all = new java.util.HashSet<>(VARIABLES.keySet());
        all.addAll(List.of("time_local", "time_iso8601"));
        return all;
    }

    /**
     * Compiles FORMAT, a {@code log_format} value ({@code [escape=default|json|none] TEXT}); throws
     * IllegalArgumentException naming an unknown escaping or the first unknown variable.
     */
    public static AccessLog compile(String format, Consumer<String> sink) {
        return new AccessLog(LogFormat.parse(format), sink);
    }

    public void write(SessionFacts facts) {
        StringBuilder line = new StringBuilder(160);
        for (Function<SessionFacts, String> part : parts) {
            line.append(part.apply(facts));
        }
        sink.accept(line.toString());
    }

    /**
     * A variable as the format's escaping writes it (NGINX's ngx_stream_log_variable,
     * _json_variable, _unescaped_variable): {@code default} prints a missing value as "-" and escapes
     * the rest; {@code json} and {@code none} print a missing value as nothing.
     */
    private static Function<SessionFacts, String> escaped(Function<SessionFacts, String> variable, LogFormat.Escape escape) {
        return switch (escape) {
            case DEFAULT -> f -> {
                String value = variable.apply(f);
                return value == null || value.isEmpty() ? "-" : LogEscape.accessLogValue(value);
            };
            case JSON -> f -> {
                String value = variable.apply(f);
                return value == null ? "" : LogEscape.json(value);
            };
            case NONE -> f -> {
                String value = variable.apply(f);
                return value == null ? "" : value;
            };
        };
    }

    private List<Function<SessionFacts, String>> parse(String format, LogFormat.Escape escape) {
        List<Function<SessionFacts, String>> parts = new ArrayList<>();
        int i = 0;
        while (i < format.length()) {
            int dollar = format.indexOf('$', i);
            if (dollar < 0) {
                parts.add(literal(format.substring(i)));
                break;
            }
            if (dollar > i) {
                parts.add(literal(format.substring(i, dollar)));
            }
            boolean braced = dollar + 1 < format.length() && format.charAt(dollar + 1) == '{';
            int from = dollar + (braced ? 2 : 1);
            int end = from;
            while (end < format.length() && (Character.isLetterOrDigit(format.charAt(end)) || format.charAt(end) == '_')) {
                end++;
            }
            String name = format.substring(from, end);
            Function<SessionFacts, String> variable = switch (name) {
                case "time_local" -> f -> stamp().local();
                case "time_iso8601" -> f -> stamp().iso();
                default -> VARIABLES.get(name);
            };
            if (variable == null) {
                throw new IllegalArgumentException("unknown variable \"$" + name + "\"; known: "
                        + VARIABLES.keySet().stream().sorted().map(v -> "$" + v).collect(Collectors.joining(" ")));
            }
            if (braced && (end >= format.length() || format.charAt(end) != '}')) {
                throw new IllegalArgumentException("missing closing bracket in \"${" + name + "\"");
            }
            parts.add(escaped(variable, escape));
            i = braced ? end + 1 : end;
        }
        return List.copyOf(parts);
    }

    private static Function<SessionFacts, String> literal(String text) {
        return f -> text;
    }

    /** The two time formats of one second. */
    private record Stamp(long second, String local, String iso) {}

    /**
     * The current second's time strings, formatted once per second as NGINX caches its time
     * strings: formatting a date for every line was a measurable share of a short session.
     */
    private Stamp stamp() {
        long second = System.currentTimeMillis() / 1000;
        Stamp current = stamp;
        if (current.second() != second) {
            ZonedDateTime time = ZonedDateTime.now(ZoneId.systemDefault());
            current = new Stamp(second, LOCAL.format(time), ISO.format(time));
            stamp = current;
        }
        return current;
    }

    private static String host(InetSocketAddress a) {
        return a == null ? null : AddressText.of(a.getAddress());
    }

    private static String port(InetSocketAddress a) {
        return a == null ? null : Integer.toString(a.getPort());
    }

    private static String msec(Instant t) {
        return String.format(Locale.ROOT, "%d.%03d", t.getEpochSecond(), t.getNano() / 1_000_000);
    }

    /** NGINX prints times in seconds with millisecond resolution: 0.123. */
    static String seconds(long nanos) {
        long millis = Duration.ofNanos(nanos).toMillis();
        return String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000);
    }

    private static String join(SessionFacts f, Function<SessionFacts.Try, String> value) {
        if (f.tries.isEmpty()) {
            return null;
        }
        return f.tries.stream().map(value).collect(Collectors.joining(", "));
    }
}

package loomproxy.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code error_log}, {@code access_log} and {@code log_format.NAME} values, and the built-in {@code main} format. */
public final class Logs {
    /**
     * The built-in {@code main} format (SPEC §6). NGINX's stream module has no predefined format; this
     * one follows the example in the ngx_stream_log_module documentation.
     */
    public static final String MAIN_FORMAT = "$remote_addr [$time_local] $status $bytes_sent $bytes_received"
            + " $session_time \"$upstream_addr\" \"$upstream_connect_time\" $upstream_ssl_protocol"
            + " $upstream_ssl_session_reused \"$upstream_ssl_verify\"";

    public static final String MAIN = "main";

    /** Every variable a {@code log_format} may use (SPEC §6); anything else is an error, as in NGINX. */
    public static final Set<String> VARIABLES = Set.of(
            "remote_addr", "remote_port", "server_addr", "server_port", "time_local", "time_iso8601", "msec",
            "status", "bytes_sent", "bytes_received", "session_time", "upstream_addr", "upstream_connect_time",
            "upstream_bytes_sent", "upstream_bytes_received", "upstream_session_time", "connection",
            "upstream_ssl_protocol", "upstream_ssl_cipher", "upstream_ssl_session_reused", "upstream_ssl_name",
            "upstream_ssl_verify");

    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w*)}|(\\w*))");

    private Logs() {}

    /** {@code stderr [LEVEL]} or {@code FILE [LEVEL]}; without a level NGINX logs at {@code error}. */
    static ErrorLogConfig errorLog(String v, Path dir) throws InvalidValueException {
        List<String> words = Values.words(v);
        if (words.size() > 2) {
            throw new InvalidValueException("invalid value \"" + v + "\", use stderr|FILE [LEVEL]");
        }
        String target = words.get(0);
        if (target.equals("stdout") || target.startsWith("syslog:") || target.startsWith("memory:")) {
            throw new InvalidValueException("\"" + target + "\" is not supported by this version of loomproxy;"
                    + " use stderr or a file path");
        }
        Optional<Path> file = target.equals("stderr") ? Optional.empty() : Optional.of(Values.path(target, dir));
        return new ErrorLogConfig(file, words.size() == 2 ? level(words.get(1)) : LogLevel.ERROR);
    }

    private static LogLevel level(String word) throws InvalidValueException {
        for (LogLevel l : LogLevel.values()) {
            if (l.nginxName().equals(word)) {
                return l;
            }
        }
        throw new InvalidValueException("invalid log level \"" + word
                + "\", use debug, info, notice, warn, error, crit, alert or emerg");
    }

    /**
     * {@code off}, or {@code stdout|FILE [FORMAT]}; the format defaults to {@code main} (NGINX's stream
     * module requires it). The format text is filled in by the loader once every log_format is known.
     */
    static AccessLogConfig accessLog(String v, Path dir) throws InvalidValueException {
        List<String> words = Values.words(v);
        if (words.equals(List.of("off"))) {
            return new AccessLogConfig(false, Optional.empty(), MAIN, MAIN_FORMAT);
        }
        if (words.size() > 2) {
            throw new InvalidValueException("invalid value \"" + v + "\", use off or stdout|FILE [FORMAT]"
                    + " (buffer=, gzip, flush= and if= are not supported by this version of loomproxy)");
        }
        String target = words.get(0);
        Optional<Path> file = target.equals("stdout") ? Optional.empty() : Optional.of(Values.path(target, dir));
        return new AccessLogConfig(true, file, words.size() == 2 ? words.get(1) : MAIN, "");
    }

    /**
     * The format as written ({@code [escape=MODE] TEXT}, see {@link LogFormat}), once its escaping is
     * known and every {@code $variable} in it too.
     */
    static String format(String value) throws InvalidValueException {
        String text;
        try {
            text = LogFormat.parse(value).text();
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException(e.getMessage());
        }
        Set<String> unknown = new TreeSet<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            if (!VARIABLES.contains(name)) {
                unknown.add("$" + name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidValueException("unknown variable " + String.join(", ", unknown)
                    + " (known: $" + String.join(" $", new TreeSet<>(VARIABLES)) + ")");
        }
        return value;
    }
}

package loomproxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one table of configuration keys: name as in NGINX, where it may appear, how its value parses,
 * and its default written the way the documentation writes it (parsed by the same code, so a default
 * can never disagree with the parser).
 */
record Directive<T>(String name, Scope scope, Kind<T> kind, String defaultValue) {

    enum Scope {
        /** Top level only: {@code error_log}, {@code log_format.NAME}, ... */
        TOP,
        /** {@code server.NAME.KEY} only, as NGINX's server-context-only directives. */
        SERVER,
        /** Top level (inherited by every server block that does not set it) or per server block. */
        BOTH,
        /** {@code upstream.NAME} and {@code upstream.NAME.KEY}. */
        UPSTREAM
    }

    /** Parses one value; {@code dir} is where relative paths resolve. */
    @FunctionalInterface
    interface Kind<T> {
        T parse(String value, Path dir) throws InvalidValueException;
    }

    private static final Pattern TRAILING_COMMENT = Pattern.compile("(^|\\s)#");
    private static final Kind<Boolean> FLAG = (v, dir) -> Values.flag(v);
    private static final Kind<Duration> TIME = (v, dir) -> Values.duration(v);
    private static final Kind<Long> RATE = (v, dir) -> Values.rate(v);
    private static final Kind<String> WORD = (v, dir) -> Values.word(v);
    /**
     * Relative paths resolve against the configuration file's directory, so a configuration and its
     * certificates can move together; NGINX resolves against its build-time prefix instead.
     */
    private static final Kind<Path> PATH = (v, dir) -> Values.path(v, dir);
    private static final Kind<String> TEXT = (v, dir) -> v;

    static final Directive<List<ListenAddress>> LISTEN = server("listen", (v, d) -> ListenValues.parse(v), null);
    static final Directive<String> PROXY_PASS = server("proxy_pass", WORD, null);
    static final Directive<Duration> CONNECT_TIMEOUT = both("proxy_connect_timeout", (v, d) -> Values.positiveDuration(v), "60s");
    static final Directive<Duration> TIMEOUT = both("proxy_timeout", (v, d) -> Values.positiveDuration(v), "10m");
    static final Directive<Boolean> NEXT_UPSTREAM = both("proxy_next_upstream", FLAG, "on");
    static final Directive<Integer> NEXT_UPSTREAM_TRIES = both("proxy_next_upstream_tries", (v, d) -> Values.number(v, 0), "0");
    static final Directive<Duration> NEXT_UPSTREAM_TIMEOUT = both("proxy_next_upstream_timeout", TIME, "0");
    static final Directive<Boolean> HALF_CLOSE = both("proxy_half_close", FLAG, "off");
    static final Directive<Integer> BUFFER_SIZE = both("proxy_buffer_size", (v, d) -> Values.bufferSize(v), "16k");
    static final Directive<Long> UPLOAD_RATE = both("proxy_upload_rate", RATE, "0");
    static final Directive<Long> DOWNLOAD_RATE = both("proxy_download_rate", RATE, "0");
    /** {@code on}/{@code v1}: the text header; {@code v2}: the binary one (SPEC §9). */
    static final Directive<ProxyProtocol> PROXY_PROTOCOL = both("proxy_protocol", (v, d) -> Values.proxyProtocol(v), "off");
    static final Directive<Boolean> SOCKET_KEEPALIVE = both("proxy_socket_keepalive", FLAG, "off");
    static final Directive<Boolean> SSL = both("proxy_ssl", FLAG, "off");
    static final Directive<Path> SSL_CERTIFICATE = both("proxy_ssl_certificate", PATH, null);
    static final Directive<Path> SSL_CERTIFICATE_KEY = both("proxy_ssl_certificate_key", PATH, null);
    static final Directive<Path> SSL_PASSWORD_FILE = both("proxy_ssl_password_file", PATH, null);
    static final Directive<Path> SSL_TRUSTED_CERTIFICATE = both("proxy_ssl_trusted_certificate", PATH, null);
    static final Directive<Path> SSL_CRL = both("proxy_ssl_crl", PATH, null);
    /** On by default, unlike NGINX: an unverified upstream is open to a man in the middle (SPEC §8). */
    static final Directive<Boolean> SSL_VERIFY = both("proxy_ssl_verify", FLAG, "on");
    static final Directive<Integer> SSL_VERIFY_DEPTH = both("proxy_ssl_verify_depth", (v, d) -> Values.number(v, 0), "1");
    /** Unset = the chosen server's host (SPEC §8), so a group's default name matches each member's certificate. */
    static final Directive<String> SSL_NAME = both("proxy_ssl_name", (v, d) -> Values.name(v), null);
    static final Directive<Boolean> SSL_SERVER_NAME = both("proxy_ssl_server_name", FLAG, "on");
    static final Directive<List<String>> SSL_PROTOCOLS = both("proxy_ssl_protocols", (v, d) -> Values.protocols(v), "TLSv1.2 TLSv1.3");
    static final Directive<String> SSL_CIPHERS = both("proxy_ssl_ciphers", TEXT, "DEFAULT");
    /** May repeat in one block: NGINX takes one {@code proxy_ssl_conf_command} per command. */
    static final Directive<List<String>> SSL_CONF_COMMAND = both("proxy_ssl_conf_command", (v, d) -> confCommand(v), null);
    static final Directive<Boolean> SSL_SESSION_REUSE = both("proxy_ssl_session_reuse", FLAG, "on");
    static final Directive<ErrorLogConfig> ERROR_LOG = top("error_log", Logs::errorLog, "stderr info");
    static final Directive<AccessLogConfig> ACCESS_LOG = top("access_log", Logs::accessLog, "stdout main");
    /** Written {@code log_format.NAME = text}. */
    static final Directive<String> LOG_FORMAT = top("log_format", (v, d) -> Logs.format(v), null);
    static final Directive<Duration> SHUTDOWN_TIMEOUT = top("shutdown_timeout", TIME, "30s");
    /** How often every TLS file in use is checked for new content (SPEC §7); 0 = never. */
    static final Directive<Duration> TLS_RELOAD_INTERVAL = top("tls_reload_interval", TIME, "10s");
    /** Off unless set (or set to {@code off}); a bare port binds 127.0.0.1 (SPEC §10). */
    static final Directive<Optional<HostPort>> ADMIN_LISTEN = top("admin_listen", (v, d) -> ListenValues.admin(v), null);
    /** Who may read the admin endpoint; SPEC §9's list syntax. */
    static final Directive<AllowList> ADMIN_ALLOW = top("admin_allow", (v, d) -> AllowValues.parse(v), "127.0.0.1, ::1");
    /**
     * {@code allow}/{@code deny} (SPEC §9): they may repeat, and the lines of both keys in one scope
     * are one list of rules in file order; each value is a list of one line's addresses.
     */
    static final Directive<List<AllowList>> ALLOW = both("allow", (v, d) -> List.of(AllowValues.parse(v)), null);
    static final Directive<List<AllowList>> DENY = both("deny", (v, d) -> List.of(AllowValues.parse(v)), null);
    /** Open sessions per server block; unset = no limit. */
    static final Directive<Integer> LIMIT_CONN = both("limit_conn", (v, d) -> LimitValues.connections(v), null);
    /** Open sessions per client address in a server block; unset = no limit. */
    static final Directive<Integer> LIMIT_CONN_PER_ADDR = both("limit_conn_per_addr", (v, d) -> LimitValues.connections(v), null);
    static final Directive<LogLevel> LIMIT_CONN_LOG_LEVEL = both("limit_conn_log_level", (v, d) -> LimitValues.logLevel(v), "error");
    /** SPEC §11: off unless set; {@code on} takes every default. Top level (inherited) or per block. */
    static final Directive<Optional<HealthCheck>> HEALTH_CHECK = both("health_check", (v, d) -> HealthValues.parse(v), "off");
    /** How often names of servers with {@code resolve} are looked up again (SPEC §11). */
    static final Directive<Duration> RESOLVER_VALID = top("resolver_valid", (v, d) -> Values.positiveDuration(v), "30s");
    /** Written {@code upstream.NAME = server, ...}. */
    static final Directive<List<UpstreamServer>> UPSTREAM = new Directive<>("upstream", Scope.UPSTREAM, (v, d) -> UpstreamValues.parse(v), null);

    static final List<Directive<?>> ALL = List.of(LISTEN, PROXY_PASS, CONNECT_TIMEOUT, TIMEOUT, NEXT_UPSTREAM,
            NEXT_UPSTREAM_TRIES, NEXT_UPSTREAM_TIMEOUT, HALF_CLOSE, BUFFER_SIZE, UPLOAD_RATE, DOWNLOAD_RATE,
            PROXY_PROTOCOL, SOCKET_KEEPALIVE, SSL, SSL_CERTIFICATE, SSL_CERTIFICATE_KEY, SSL_PASSWORD_FILE,
            SSL_TRUSTED_CERTIFICATE, SSL_CRL, SSL_VERIFY, SSL_VERIFY_DEPTH, SSL_NAME, SSL_SERVER_NAME,
            SSL_PROTOCOLS, SSL_CIPHERS, SSL_CONF_COMMAND, SSL_SESSION_REUSE, ERROR_LOG, ACCESS_LOG, LOG_FORMAT,
            SHUTDOWN_TIMEOUT, TLS_RELOAD_INTERVAL, ADMIN_LISTEN, ADMIN_ALLOW, UPSTREAM, HEALTH_CHECK, RESOLVER_VALID,
            ALLOW, DENY, LIMIT_CONN, LIMIT_CONN_PER_ADDR, LIMIT_CONN_LOG_LEVEL);

    static Optional<Directive<?>> named(String name) {
        return ALL.stream().filter(d -> d.name.equals(name)).findFirst();
    }

    /** NGINX takes one {@code proxy_ssl_conf_command} per command, and allow/deny lines as rules. */
    boolean repeatable() {
        return this == SSL_CONF_COMMAND || this == ALLOW || this == DENY;
    }

    /**
     * Parses a value as read from the file. Trailing blanks are dropped (Properties keeps them, but no
     * value ends in one and they are invisible in an editor). A {@code #} after a blank is refused: in a
     * properties file it starts no comment, so it would silently become part of the value (SPEC §2).
     */
    T parse(String value, Path dir) throws InvalidValueException {
        String v = value.strip();
        if (v.isEmpty()) {
            throw new InvalidValueException("empty value; give a value or remove the line");
        }
        if (v.indexOf('#') >= 0 && TRAILING_COMMENT.matcher(v).find()) {
            throw new InvalidValueException("invalid value \"" + v + "\" (comments must be on their own line)");
        }
        if (quoted(v) && this != LOG_FORMAT) {
            throw new InvalidValueException("the value " + v + " is in quotes, which a properties file keeps as part"
                    + " of it; write " + v.substring(1, v.length() - 1) + " without them");
        }
        return kind.parse(v, dir);
    }

    /**
     * A whole value in one pair of double or single quotes, as NGINX's configuration takes it. A
     * properties value has no quoting, so they would become part of a path or a name (a log format's
     * text may hold quotes of its own).
     */
    private static boolean quoted(String v) {
        char q = v.charAt(0);
        return v.length() >= 2 && (q == '"' || q == '\'') && v.indexOf(q, 1) == v.length() - 1;
    }

    /** The default, parsed; empty for a key without one. */
    Optional<T> parsedDefault() {
        try {
            return defaultValue == null ? Optional.empty() : Optional.of(kind.parse(defaultValue, Path.of("")));
        } catch (InvalidValueException e) {
            throw new IllegalStateException("built-in default of " + name + " does not parse: " + e.getMessage(), e);
        }
    }

    /** NGINX's {@code proxy_ssl_conf_command name value}; a list of one, as repeats are appended. */
    private static List<String> confCommand(String v) throws InvalidValueException {
        if (Values.words(v).size() < 2) {
            throw new InvalidValueException("invalid value \"" + v + "\", use NAME VALUE such as"
                    + " \"Ciphersuites TLS_AES_256_GCM_SHA384\"");
        }
        return List.of(v);
    }

    private static <T> Directive<T> server(String name, Kind<T> kind, String dflt) {
        return new Directive<>(name, Scope.SERVER, kind, dflt);
    }

    private static <T> Directive<T> both(String name, Kind<T> kind, String dflt) {
        return new Directive<>(name, Scope.BOTH, kind, dflt);
    }

    private static <T> Directive<T> top(String name, Kind<T> kind, String dflt) {
        return new Directive<>(name, Scope.TOP, kind, dflt);
    }
}

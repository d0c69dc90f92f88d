package loomproxy.config;

/**
 * {@code limit_conn} and {@code limit_conn_per_addr} of one server block (SPEC §9, NGINX's
 * ngx_stream_limit_conn_module with a zone keyed by the server and one keyed by
 * {@code $binary_remote_addr}); 0 = no limit. Over a limit, a connection is refused with 503 and
 * logged at {@code logLevel} (limit_conn_log_level).
 */
public record ConnLimits(int perServer, int perAddress, LogLevel logLevel) {
    public static final ConnLimits NONE = new ConnLimits(0, 0, LogLevel.ERROR);
}

package loomproxy.config;

import java.util.List;

/** Values of {@code limit_conn}, {@code limit_conn_per_addr} and {@code limit_conn_log_level} (SPEC §9). */
final class LimitValues {
    /** NGINX refuses more: "connection limit must be less 65536" (its counters are 16-bit). */
    static final int MAX_CONNECTIONS = 65535;
    /** The levels NGINX's limit_conn_log_level takes. */
    private static final List<LogLevel> LEVELS = List.of(LogLevel.INFO, LogLevel.NOTICE, LogLevel.WARN, LogLevel.ERROR);

    private LimitValues() {}

    /** A number of connections, 1..65535 as NGINX's limit_conn. */
    static int connections(String v) throws InvalidValueException {
        if (v.trim().contains(" ")) {
            // NGINX's "limit_conn ZONE N": the zone says what is counted; here the key does.
            throw new InvalidValueException("invalid value \"" + v + "\": NGINX's form ZONE N names a limit_conn_zone;"
                    + " here write limit_conn = N (the block's connections) or limit_conn_per_addr = N (each client address's)");
        }
        int n = Values.number(v, 1);
        if (n > MAX_CONNECTIONS) {
            throw new InvalidValueException("invalid value \"" + v + "\", it must be at most " + MAX_CONNECTIONS
                    + " (NGINX's connection limit)");
        }
        return n;
    }

    static LogLevel logLevel(String v) throws InvalidValueException {
        return LEVELS.stream().filter(l -> l.nginxName().equals(v)).findFirst()
                .orElseThrow(() -> new InvalidValueException("invalid value \"" + v
                        + "\", it must be info, notice, warn or error"));
    }
}

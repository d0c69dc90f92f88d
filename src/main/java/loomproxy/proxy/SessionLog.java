package loomproxy.proxy;

import java.lang.System.Logger.Level;
import loomproxy.config.LogLevel;
import loomproxy.observe.ErrorLog;

/**
 * The error log as one session writes to it: every line carries the session number first and the
 * client and server block last, as NGINX's {@code *42 ... client: 192.0.2.7, server: main}.
 */
final class SessionLog {
    private final System.Logger log;
    private final String prefix;
    private final String suffix;

    SessionLog(System.Logger log, long id, String client, String server) {
        this.log = log;
        this.prefix = "#" + id + " ";
        this.suffix = ", client: " + client + ", server: " + server;
    }

    void debug(String message) {
        write(Level.DEBUG, message);
    }

    void info(String message) {
        write(Level.INFO, message);
    }

    void warn(String message) {
        write(Level.WARNING, message);
    }

    void error(String message) {
        write(Level.ERROR, message);
    }

    /**
     * At one of NGINX's levels (limit_conn_log_level may be {@code notice}, which System.Logger
     * lacks: only the error log itself has it; any other logger gets it as info).
     */
    void at(LogLevel level, String message) {
        if (log instanceof ErrorLog errorLog) {
            errorLog.log(level, prefix + message + suffix);
            return;
        }
        write(switch (level) {
            case DEBUG -> Level.DEBUG;
            case INFO, NOTICE -> Level.INFO;
            case WARN -> Level.WARNING;
            default -> Level.ERROR;
        }, message);
    }

    private void write(Level level, String message) {
        if (log.isLoggable(level)) {
            log.log(level, prefix + message + suffix);
        }
    }
}

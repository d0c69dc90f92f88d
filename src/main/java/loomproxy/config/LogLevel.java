package loomproxy.config;

/** NGINX's error_log levels, least severe first. */
public enum LogLevel {
    DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT, EMERG;

    public String nginxName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

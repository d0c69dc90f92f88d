package loomproxy.observe;

import java.text.MessageFormat;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ResourceBundle;
import java.util.function.Consumer;
import loomproxy.config.LogLevel;

/**
 * The error log in NGINX's line format, {@code 2026/11/28 18:00:00 [warn] #42 upstream ... }, as a
 * {@link System.Logger} so the code logs through the JDK's API. It is an instance, not a global:
 * each proxy (and each test) has its own, and tests read what it wrote. Expected failures are logged
 * without stack traces; a throwable's stack is printed only at debug.
 */
public final class ErrorLog implements System.Logger {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss");

    /** Both change together on a reload of error_log (another file, another level); lines in flight see one or the other. */
    private volatile Consumer<String> sink;
    private volatile LogLevel threshold;
    private final Clock clock;

    public ErrorLog(Consumer<String> sink, LogLevel threshold, Clock clock) {
        this.sink = sink;
        this.threshold = threshold;
        this.clock = clock;
    }

    public static ErrorLog to(LogSink sink, LogLevel threshold) {
        return new ErrorLog(sink::line, threshold, Clock.systemDefaultZone());
    }

    /**
     * After a reload: from now on lines go to {@code sink} at {@code threshold}. Everything that
     * logs holds this one object, so nothing else has to be told.
     */
    public void retarget(LogSink sink, LogLevel threshold) {
        this.threshold = threshold;
        this.sink = sink::line;
    }

    @Override
    public String getName() {
        return "loomproxy";
    }

    @Override
    public boolean isLoggable(Level level) {
        return level != Level.OFF && nginxLevel(level).compareTo(threshold) >= 0;
    }

    /**
     * NGINX levels that System.Logger lacks (notice, crit, alert, emerg). The message is escaped
     * ({@link LogEscape}): much of what is logged quotes a peer.
     */
    public void log(LogLevel level, String message) {
        write(level, LogEscape.escape(message), "");
    }

    private void write(LogLevel level, String escaped, String trace) {
        if (level.compareTo(threshold) >= 0) {
            sink.accept(TIME.format(LocalDateTime.now(clock)) + " [" + level.nginxName() + "] " + escaped + trace);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        if (!isLoggable(level)) {
            return;
        }
        String text = message;
        String trace = "";
        if (thrown != null) {
            text += " (" + thrown + ")";
            if (threshold == LogLevel.DEBUG) {
                var stack = new java.io.StringWriter();
                thrown.printStackTrace(new java.io.PrintWriter(stack));
                trace = "\n" + stack; // our own multi-line text, at debug only
            }
        }
        write(nginxLevel(level), LogEscape.escape(text), trace);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            log(nginxLevel(level), params == null || params.length == 0 ? format : MessageFormat.format(format, params));
        }
    }

    private static LogLevel nginxLevel(Level level) {
        return switch (level) {
            case ALL, TRACE, DEBUG -> LogLevel.DEBUG;
            case INFO -> LogLevel.INFO;
            case WARNING -> LogLevel.WARN;
            case ERROR, OFF -> LogLevel.ERROR;
        };
    }
}

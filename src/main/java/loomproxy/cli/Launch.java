package loomproxy.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import loomproxy.config.AccessLogConfig;
import loomproxy.config.ConfigException;
import loomproxy.config.ConfigLoader;
import loomproxy.config.ErrorLogConfig;
import loomproxy.config.Problem;
import loomproxy.config.Problems;
import loomproxy.config.ProxyConfig;
import loomproxy.observe.AccessLog;
import loomproxy.observe.ErrorLog;
import loomproxy.observe.LogSink;
import loomproxy.proxy.Proxy;

/**
 * Everything between a configuration file and a proxy ready to bind: parse, open the logs, load the
 * TLS material. Shared by {@code --check} and a real start, so both accept exactly the same files.
 */
record Launch(ProxyConfig config, Proxy proxy, ErrorLog errorLog, List<LogSink> sinks) implements AutoCloseable {

    static Launch prepare(Path file, PrintStream out, PrintStream err) throws ConfigException {
        ProxyConfig config = ConfigLoader.load(file);
        Problems problems = new Problems();
        List<LogSink> sinks = new ArrayList<>();
        ErrorLog errorLog = errorLog(config, err, problems, sinks);
        AccessLog accessLog = accessLog(config, out, problems, sinks);
        Proxy proxy;
        try {
            proxy = Proxy.prepare(config, errorLog, accessLog, problems);
        } catch (ConfigException e) {
            closeAll(sinks);
            throw e;
        } finally {
            for (Problem warning : problems.warnings()) {
                err.println("loomproxy: [warn] " + warning);
            }
        }
        if (!problems.isEmpty()) {
            closeAll(sinks);
            problems.throwIfAny();
        }
        return new Launch(config, proxy, errorLog, sinks);
    }

    private static ErrorLog errorLog(ProxyConfig config, PrintStream err, Problems problems, List<LogSink> sinks) {
        return ErrorLog.to(errorSink(config, err, problems, sinks), config.errorLog().level());
    }

    /** Where error_log says lines go: a file opened for appending (added to {@code sinks}) or stderr. */
    static LogSink errorSink(ProxyConfig config, PrintStream err, Problems problems, List<LogSink> sinks) {
        ErrorLogConfig settings = config.errorLog();
        return open(settings.file().orElse(null), err, "error_log", config, problems, sinks);
    }

    /** The access log access_log asks for, null when off; a file it opens is added to {@code sinks}. */
    static AccessLog accessLog(ProxyConfig config, PrintStream out, Problems problems, List<LogSink> sinks) {
        AccessLogConfig settings = config.accessLog();
        if (!settings.enabled()) {
            return null;
        }
        LogSink sink = open(settings.file().orElse(null), out, "access_log", config, problems, sinks);
        return AccessLog.compile(settings.format(), sink::line);
    }

    private static LogSink open(Path file, PrintStream fallback, String key, ProxyConfig config, Problems problems,
                                List<LogSink> sinks) {
        if (file == null) {
            return LogSink.of(fallback);
        }
        try {
            LogSink sink = LogSink.append(file);
            sinks.add(sink);
            return sink;
        } catch (IOException e) {
            problems.add(config.sources().of(key), key, "cannot open " + file + " for appending ("
                    + e.getMessage() + "): create the directory or fix its permissions");
            return LogSink.of(fallback);
        }
    }

    @Override
    public void close() {
        closeAll(sinks);
    }

    static void closeAll(List<LogSink> sinks) {
        for (LogSink sink : sinks) {
            try {
                sink.close();
            } catch (IOException e) {
                System.err.println("loomproxy: closing a log: " + e.getMessage());
            }
        }
    }
}

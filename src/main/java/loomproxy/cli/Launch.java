package loomproxy.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import loomproxy.config.AccessLogConfig;
import loomproxy.config.ConfigException;
import loomproxy.config.ConfigLoader;
import loomproxy.config.ErrorLogConfig;
import loomproxy.config.Loaded;
import loomproxy.config.LogLevel;
import loomproxy.config.Problem;
import loomproxy.config.Problems;
import loomproxy.config.ProxyConfig;
import loomproxy.config.ServerTls;
import loomproxy.observe.AccessLog;
import loomproxy.observe.ErrorLog;
import loomproxy.observe.LogSink;
import loomproxy.proxy.Proxy;
import loomproxy.tls.TlsSetup;

/**
 * Everything between a configuration file and a proxy ready to bind: parse, open the logs, load the
 * TLS material. Shared by {@code --check} and a real start, so both accept exactly the same files.
 * Warnings are printed in both cases, before any error. {@code dump} is the effective configuration
 * for {@code -T}.
 */
record Launch(ProxyConfig config, Proxy proxy, ErrorLog errorLog, List<LogSink> sinks, List<String> dump)
        implements AutoCloseable {

    static Launch prepare(Path file, PrintStream out, PrintStream err) throws ConfigException {
        Problems problems = new Problems();
        try {
            return prepare(ConfigLoader.load(file, problems), out, err, problems);
        } finally {
            for (Problem warning : problems.warnings()) {
                err.println("loomproxy: [warn] " + warning);
            }
        }
    }

    private static Launch prepare(Loaded loaded, PrintStream out, PrintStream err, Problems problems)
            throws ConfigException {
        ProxyConfig config = loaded.config();
        List<LogSink> sinks = new ArrayList<>();
        ErrorLog errorLog = errorLog(config, err, problems, sinks);
        AccessLog accessLog = accessLog(config, out, problems, sinks);
        if (!problems.isEmpty()) {
            // One run reports everything: the files of every block whose TLS settings are valid are
            // read even though the configuration has errors, so they do not surface one run later.
            for (ServerTls block : loaded.tls()) {
                TlsSetup.load(block.tls(), block.sources(), problems, InstantSource.system());
            }
            closeAll(sinks);
            problems.throwIfAny();
        }
        try {
            return new Launch(config, Proxy.prepare(config, errorLog, accessLog, problems), errorLog, sinks, loaded.dump());
        } catch (ConfigException e) {
            closeAll(sinks);
            throw e;
        }
    }

    private static ErrorLog errorLog(ProxyConfig config, PrintStream err, Problems problems, List<LogSink> sinks) {
        ErrorLogConfig settings = config.errorLog();
        LogSink sink = open(settings.file().orElse(null), err, "error_log", config, problems, sinks);
        return ErrorLog.to(sink, settings.level());
    }

    private static AccessLog accessLog(ProxyConfig config, PrintStream out, Problems problems, List<LogSink> sinks) {
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

    /**
     * SIGUSR1 (logrotate): every log file is opened again at its path; stdout and stderr are left
     * alone. A file that cannot be reopened keeps its old stream, and the error log says why.
     */
    void reopenLogs() {
        for (LogSink sink : sinks) {
            try {
                sink.reopen();
            } catch (IOException e) {
                errorLog.log(LogLevel.ERROR, e.getMessage());
            }
        }
        errorLog.log(LogLevel.NOTICE, "signal SIGUSR1 received; log files reopened");
    }

    @Override
    public void close() {
        closeAll(sinks);
    }

    private static void closeAll(List<LogSink> sinks) {
        for (LogSink sink : sinks) {
            try {
                sink.close();
            } catch (IOException e) {
                System.err.println("loomproxy: closing a log: " + e.getMessage());
            }
        }
    }
}

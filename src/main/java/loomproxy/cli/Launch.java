package loomproxy.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
        return prepare(file, out, err, false);
    }

    /** @param check --check: log files are checked, not created or opened (their lines go to out and err) */
    static Launch prepare(Path file, PrintStream out, PrintStream err, boolean check) throws ConfigException {
        Problems problems = new Problems();
        try {
            return prepare(ConfigLoader.load(file, problems), out, err, problems, check);
        } finally {
            for (Problem warning : problems.warnings()) {
                err.println("loomproxy: [warn] " + warning);
            }
        }
    }

    private static Launch prepare(Loaded loaded, PrintStream out, PrintStream err, Problems problems, boolean check)
            throws ConfigException {
        ProxyConfig config = loaded.config();
        List<LogSink> sinks = new ArrayList<>();
        if (check) {
            checkLogFile(config.errorLog().file().orElse(null), "error_log", config, problems);
            checkLogFile(config.accessLog().enabled() ? config.accessLog().file().orElse(null) : null, "access_log",
                    config, problems);
        }
        ErrorLog errorLog = check ? ErrorLog.to(LogSink.of(err, "stderr"), config.errorLog().level())
                : errorLog(config, err, problems, sinks);
        AccessLog accessLog = check ? null : accessLog(config, out, problems, sinks);
        try {
            throwIfAny(loaded, problems);
            return new Launch(config, Proxy.prepare(config, errorLog, accessLog, problems), errorLog, sinks, loaded.dump());
        } catch (ConfigException e) {
            closeAll(sinks);
            throw e;
        }
    }

    /**
     * Throws every problem when there is one. One run reports everything: the files of every block
     * whose TLS settings are valid are read even though the configuration has errors, so they do not
     * surface one run (or one reload) later.
     */
    static void throwIfAny(Loaded loaded, Problems problems) throws ConfigException {
        if (problems.isEmpty()) {
            return;
        }
        for (ServerTls block : loaded.tls()) {
            TlsSetup.load(block.tls(), block.sources(), problems, InstantSource.system());
        }
        problems.throwIfAny();
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
            return standardStream(fallback, key);
        }
        try {
            LogSink sink = LogSink.append(file);
            sinks.add(sink);
            return sink;
        } catch (IOException e) {
            problems.add(config.sources().of(key), key, cannotOpen(file, e));
            return standardStream(fallback, key);
        }
    }

    /** error_log without a file writes to stderr, access_log to stdout (SPEC §6). */
    private static LogSink standardStream(PrintStream stream, String key) {
        return LogSink.of(stream, key.equals("error_log") ? "stderr" : "stdout");
    }

    private static void checkLogFile(Path file, String key, ProxyConfig config, Problems problems) {
        if (file == null) {
            return;
        }
        try {
            LogSink.checkAppendable(file);
        } catch (IOException e) {
            problems.add(config.sources().of(key), key, cannotOpen(file, e));
        }
    }

    /** Why FILE cannot be opened for appending, and what to do: Java's message for a denial is just the path. */
    static String cannotOpen(Path file, IOException e) {
        String what = "cannot open " + file + " for appending: ";
        if (e instanceof AccessDeniedException denied) {
            String user = System.getProperty("user.name");
            return what + "permission denied on " + denied.getFile() + " for user " + user + ": let " + user
                    + " write there (chown, chmod) or choose another file";
        }
        Path directory = file.toAbsolutePath().getParent();
        if (e instanceof NoSuchFileException) {
            return what + (directory == null || !Files.isDirectory(directory) ? "no directory " + directory + ": create it"
                    : directory + " does not let files be created in it (a special file system?): choose a file in a"
                    + " regular directory");
        }
        if (e instanceof FileSystemException failed && "Is a directory".equals(failed.getReason())) {
            return what + "it is a directory: name a file in it";
        }
        String reason = e instanceof FileSystemException failed && failed.getReason() != null ? failed.getReason() : e.getMessage();
        return what + reason + ": check the path and its directory";
    }

    /**
     * SIGUSR1 (logrotate): every log file is opened again at its path; stdout and stderr are left
     * alone. A file that cannot be reopened keeps its old stream, and the error log says why.
     */
    void reopenLogs() {
        reopen(sinks, errorLog);
    }

    /** SIGUSR1's work on a set of log files: the start's ({@link #reopenLogs}) or a reload's. */
    static void reopen(List<LogSink> sinks, ErrorLog errorLog) {
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

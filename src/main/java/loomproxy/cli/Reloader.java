package loomproxy.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import loomproxy.config.ConfigException;
import loomproxy.config.ConfigLoader;
import loomproxy.config.Loaded;
import loomproxy.config.LogLevel;
import loomproxy.config.Problem;
import loomproxy.config.Problems;
import loomproxy.config.ProxyConfig;
import loomproxy.observe.AccessLog;
import loomproxy.observe.ErrorLog;
import loomproxy.observe.LogSink;
import loomproxy.proxy.Proxy;

/**
 * SIGHUP (SPEC §7): reads the configuration file again and every file it names, checks all of it
 * as {@code --check} does, and only if all is well swaps it in — the top-level keys included (the
 * logs are opened anew, so a reload also reopens them). Otherwise the errors are logged as
 * {@code FILE:LINE: KEY: message} and the running configuration stays as it was.
 */
final class Reloader implements AutoCloseable {
    /** What the last reload did, for the log and (later) the status page and metrics. */
    record Outcome(Instant at, boolean ok, List<String> errors) {}

    private final Path file;
    private final PrintStream out;
    private final PrintStream err;
    private final Proxy proxy;
    private final ErrorLog errorLog;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile ProxyConfig config;
    private volatile Outcome last;
    /** The log files now written: the start's, then those of the last successful reload. */
    private List<LogSink> sinks;

    Reloader(Launch launch, Path file, PrintStream out, PrintStream err) {
        this.file = file;
        this.out = out;
        this.err = err;
        this.proxy = launch.proxy();
        this.errorLog = launch.errorLog();
        this.config = launch.config();
        this.sinks = launch.sinks();
    }

    /** The configuration now running (shutdown_timeout is read from it at SIGTERM). */
    ProxyConfig config() {
        return config;
    }

    Outcome last() {
        return last;
    }

    /** Never throws: the outcome is logged, and the proxy keeps running either way. */
    void reload() {
        lock.lock();
        try {
            errorLog.log(LogLevel.NOTICE, "signal SIGHUP received, reloading " + file);
            last = attempt();
        } finally {
            lock.unlock();
        }
    }

    private Outcome attempt() {
        List<LogSink> opened = new ArrayList<>();
        try {
            Problems problems = new Problems();
            Loaded loaded = ConfigLoader.load(file, problems);
            ProxyConfig next = loaded.config();
            LogSink errorSink = Launch.errorSink(next, err, problems, opened);
            AccessLog accessLog = Launch.accessLog(next, out, problems, opened);
            Launch.throwIfAny(loaded, problems);
            String summary = proxy.reload(next, accessLog, problems);
            for (Problem warning : problems.warnings()) {
                errorLog.log(LogLevel.WARN, warning.toString());
            }
            errorLog.retarget(errorSink, next.errorLog().level());
            Launch.closeAll(sinks);
            sinks = opened;
            config = next;
            errorLog.log(LogLevel.NOTICE, "reloaded " + file + ": " + summary);
            return new Outcome(Instant.now(), true, List.of());
        } catch (ConfigException e) {
            Launch.closeAll(opened);
            List<String> errors = e.problems().stream().map(Problem::toString).toList();
            errors.forEach(line -> errorLog.log(LogLevel.EMERG, line));
            errorLog.log(Level.ERROR, "reload of " + file + " failed (" + errors.size()
                    + (errors.size() == 1 ? " error" : " errors") + "); the previous configuration keeps running");
            return new Outcome(Instant.now(), false, errors);
        } catch (IOException e) {
            Launch.closeAll(opened);
            errorLog.log(Level.ERROR, "reload of " + file + " failed: " + e.getMessage()
                    + "; the previous configuration keeps running");
            return new Outcome(Instant.now(), false, List.of(e.getMessage()));
        }
    }

    /** SIGUSR1: the log files now written are opened again at their paths (never while a reload swaps them). */
    void reopenLogs() {
        lock.lock();
        try {
            Launch.reopen(sinks, errorLog);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            Launch.closeAll(sinks);
            sinks = List.of();
        } finally {
            lock.unlock();
        }
    }
}

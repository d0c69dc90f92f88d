package loomproxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import loomproxy.config.ConfigException;
import loomproxy.config.LogLevel;

/**
 * The command line (SPEC §1). {@link #run} returns the exit code instead of exiting, so tests drive
 * it like a user: 0 ok, 1 configuration error, 2 usage error, 3 runtime failure.
 */
public final class Main {
    static final int OK = 0;
    static final int CONFIG_ERROR = 1;
    static final int USAGE = 2;
    static final int RUNTIME_FAILURE = 3;
    /** nohup starts a process with SIGHUP ignored, and the JVM then keeps it so: a reload would silently not happen. */
    static final String IGNORED_HUP = "SIGHUP is ignored in this process (started under nohup?), so kill -HUP will not"
            + " reload it: start loomproxy without nohup (systemd, or setsid with output redirected)";

    private static final String HELP = """
            usage: loomproxy CONFIG            run in the foreground until SIGTERM/SIGINT
                   loomproxy --check CONFIG    (or -t) validate CONFIG and every file it names, bind nothing
                   loomproxy -T CONFIG         (or --check --dump) as --check, then print the effective
                                               configuration, each value with where it was set
                   loomproxy --demo            a self-contained demo: mutual TLS echo upstream + proxy on 127.0.0.1
                   loomproxy --version | --help

            CONFIG is a properties file whose keys are NGINX stream directive names, e.g.
              upstream.backend = backend1.example.com:12345, backend2.example.com:12345
              server.main.listen = 12345
              server.main.proxy_pass = backend
              proxy_ssl = on
            See conf/loomproxy.properties and README.md for every directive.
            exit codes: 0 ok, 1 configuration error, 2 usage error, 3 runtime failure""";

    private Main() {
    }

    public static void main(String[] args) {
        JvmDefaults.apply();
        int code = run(args, System.out, System.err, new CountDownLatch(1), Signals::install);
        System.out.flush();
        System.exit(code);
    }

    /**
     * @param stop    counted down to stop a running proxy (tests); {@code signals} installs the real
     *                signal handlers, SIGTERM/SIGINT counting it down
     */
    static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stop, SignalHook signals) {
        try {
            return dispatch(args, out, err, stop, signals);
        } catch (RuntimeException | Error e) {
            // Every failure a user can cause has its own message; this is a bug of ours, still one line.
            err.println("loomproxy: internal error: " + e + " (please report it)");
            return RUNTIME_FAILURE;
        }
    }

    private static int dispatch(String[] args, PrintStream out, PrintStream err, CountDownLatch stop, SignalHook signals) {
        List<String> words = List.of(args);
        if (words.isEmpty()) {
            err.println("loomproxy: no configuration file given\n" + HELP);
            return USAGE;
        }
        String first = words.get(0);
        return switch (first) {
            case "--help", "-h" -> {
                out.println(HELP);
                yield OK;
            }
            case "--version", "-v" -> {
                out.println("loomproxy " + version() + " (commit " + commit() + ", Java " + Runtime.version() + ")");
                yield OK;
            }
            case "--check", "-t" -> {
                boolean dump = words.size() == 3 && words.get(1).equals("--dump");
                yield words.size() == 2 || dump ? check(Path.of(words.get(words.size() - 1)), dump, out, err)
                        : usage(err, first + " takes one CONFIG (and --dump before it)");
            }
            case "-T" -> words.size() == 2 ? check(Path.of(words.get(1)), true, out, err) : usage(err, "-T takes one CONFIG");
            case "--demo" -> words.size() == 1 ? Demo.run(out, err, stop, signals) : usage(err, "--demo takes no arguments");
            default -> {
                if (first.startsWith("-")) {
                    yield usage(err, "unknown option " + first);
                }
                yield words.size() == 1 ? serve(Path.of(first), out, err, stop, signals) : usage(err, "one CONFIG only");
            }
        };
    }

    /** {@code --check}; with {@code dump} ({@code -T}), the effective configuration after the verdict, as NGINX's -T. */
    private static int check(Path file, boolean dump, PrintStream out, PrintStream err) {
        try {
            Launch launch = Launch.prepare(file, out, err, true);
            launch.close();
            out.println("configuration " + file + " is ok");
            if (dump) {
                out.println();
                launch.dump().forEach(out::println);
            }
            return OK;
        } catch (ConfigException e) {
            printProblems(e, err, file, false);
            return CONFIG_ERROR;
        }
    }

    private static int serve(Path file, PrintStream out, PrintStream err, CountDownLatch stop, SignalHook signals) {
        // Before anything binds (SPEC §7): a SIGTERM from here on drains, a SIGHUP never kills.
        AtomicReference<Launch> running = new AtomicReference<>();
        AtomicReference<Reloader> reloader = new AtomicReference<>();
        Set<String> ignored = signals.install(stop::countDown, signal -> otherSignal(signal, running.get(), reloader.get(), err));
        Launch launch;
        try {
            launch = Launch.prepare(file, out, err);
        } catch (ConfigException e) {
            printProblems(e, err, file, true);
            return CONFIG_ERROR;
        }
        running.set(launch);
        if (ignored.contains("HUP")) {
            launch.errorLog().log(LogLevel.WARN, IGNORED_HUP);
        }
        try (launch; Reloader reloads = new Reloader(launch, file, out, err)) {
            launch.proxy().start(); // a SIGTERM that came before this drains the moment it is up
            reloader.set(reloads);
            stop.await();
            // NGINX's "gracefully shutting down" and "exiting": an operator reading the log sees the stop.
            launch.errorLog().log(LogLevel.NOTICE, "SIGTERM or SIGINT received: closing the listeners; "
                    + launch.proxy().openSessions() + " open sessions drain for up to shutdown_timeout "
                    + reloads.config().shutdownTimeout().toMillis() + "ms");
            launch.proxy().shutdown(reloads.config().shutdownTimeout());
            launch.errorLog().log(LogLevel.NOTICE, "exiting");
            return OK;
        } catch (IOException e) {
            err.println("loomproxy: " + e.getMessage());
            return RUNTIME_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RUNTIME_FAILURE;
        }
    }

    /**
     * SIGHUP reloads (once the proxy is up; before, there is nothing to reload into). SIGUSR1
     * reopens the log files in use (SPEC §7): the last reload's, else the start's. Neither ever kills
     * the process or touches a session.
     *
     * @param launch   null while the configuration is still being loaded (no log file is open yet)
     * @param reloader null until the proxy is up, and in the demo
     */
    static void otherSignal(String signal, Launch launch, Reloader reloader, PrintStream err) {
        if (signal.equals("HUP") && reloader != null) {
            reloader.reload();
            return;
        }
        if (signal.equals("USR1") && (reloader != null || launch != null)) {
            if (reloader != null) {
                reloader.reopenLogs();
            } else {
                launch.reopenLogs();
            }
            return;
        }
        String line = signal.equals("HUP") ? "signal SIGHUP received; nothing to reload (still starting, or the demo)"
                : "signal SIGUSR1 received while starting; nothing to reopen yet";
        if (launch != null) {
            launch.errorLog().log(LogLevel.NOTICE, line);
        } else {
            err.println("loomproxy: [notice] " + line);
        }
    }

    /** @param started a start (or the demo): it says nothing was started; --check says the test failed, as nginx -t */
    static void printProblems(ConfigException e, PrintStream err, Path file, boolean started) {
        e.problems().forEach(p -> err.println("loomproxy: [emerg] " + p));
        String count = e.problems().size() + (e.problems().size() == 1 ? " error" : " errors");
        err.println("loomproxy: configuration " + file + (started ? " has " + count + "; nothing was started"
                : " test failed (" + count + ")"));
    }

    private static int usage(PrintStream err, String message) {
        err.println("loomproxy: " + message + "\n" + HELP);
        return USAGE;
    }

    static String version() {
        return build().getProperty("version", "dev");
    }

    /** git's short commit the build was made from, "-dirty" if it had changes; "unknown" without git. */
    static String commit() {
        return build().getProperty("commit", "unknown");
    }

    /** build.properties, written by the Maven build (pom.xml, "build-info"); empty when absent. */
    private static Properties build() {
        Properties build = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read build.properties from loomproxy's own jar", e);
        }
        return build;
    }

    /**
     * Installs the signal handlers (SIGTERM/SIGINT, and SIGHUP/SIGUSR1 by name) and returns the ones
     * the process ignores, whose handlers will never run; a test passes its own.
     */
    @FunctionalInterface
    interface SignalHook {
        Set<String> install(Runnable onTerminate, Consumer<String> onOther);
    }
}

package loomproxy.testkit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;

/**
 * loomproxy as users run it: a separate JVM started with a configuration file, told things with
 * real signals, read through its error log and output. The configuration text may use {@code %PORT%}
 * for a free loopback port chosen here and {@code %DIR%} for the process's directory.
 */
public final class ProxyProcess implements AutoCloseable {
    private static Path jar;

    private final Process process;
    private final Path dir;
    private final int port;

    private ProxyProcess(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Starts the proxy and waits until it logs that it listens. */
    public static ProxyProcess start(Path dir, String config) throws IOException {
        return start(dir, config, 0);
    }

    /**
     * @param openFiles when above 0, the process runs with this hard limit on open files (bash's
     *                  {@code ulimit -n}; the JVM raises its soft limit to the hard one)
     */
    public static ProxyProcess start(Path dir, String config, int openFiles) throws IOException {
        return start(dir, config, openFiles, List.of());
    }

    /** @param jvmOptions placed before {@code -jar}, as a user's command line would have them */
    public static ProxyProcess start(Path dir, String config, int openFiles, List<String> jvmOptions) throws IOException {
        ProxyProcess proxy = launch(dir, config, openFiles, jvmOptions);
        try {
            if (!proxy.awaitListeningOrExit()) {
                throw new AssertionError("exited with " + proxy.process.exitValue() + ": " + proxy.output());
            }
        } catch (RuntimeException | Error e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    /** Starts the process and returns at once; see {@link #awaitListeningOrExit()}. */
    public static ProxyProcess launch(Path dir, String config, int openFiles) throws IOException {
        return launch(dir, config, openFiles, List.of());
    }

    /** As {@link #start(Path, String)}, with JVM options (a test's {@code -Djdk.net.hosts.file=FILE}). */
    public static ProxyProcess start(Path dir, String config, List<String> jvmOptions) throws IOException {
        return start(dir, config, 0, jvmOptions);
    }

    private static ProxyProcess launch(Path dir, String config, int openFiles, List<String> jvmOptions) throws IOException {
        int port = Ports.free();
        Path file = dir.resolve("loomproxy.properties");
        Files.writeString(file, config.replace("%PORT%", Integer.toString(port)).replace("%DIR%", dir.toString()));
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>();
        if (openFiles > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$@\"", "bash"));
        }
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString(), file.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile()).start();
        return new ProxyProcess(process, dir, port);
    }

    /** What a short run printed and how it exited. */
    public record Outcome(int exitCode, String output) {}

    /**
     * Runs {@code java [jvmOptions] -jar loomproxy.jar ARGS} to its end (for --check and failed
     * starts): the JVM options are how a user would set javax.net.ssl.* or other properties.
     */
    public static Outcome run(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after 60 s: " + output);
        }
        return new Outcome(process.exitValue(), output);
    }

    /** Waits until the proxy listens (true) or has exited (false). */
    public boolean awaitListeningOrExit() {
        Wait.until(() -> output().contains(" listening on [") || !process.isAlive(), Duration.ofSeconds(30),
                () -> "did not start: " + output());
        if (output().contains(" listening on [")) {
            return true;
        }
        try {
            process.waitFor(); // it is not alive: this returns at once, with its output complete
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    public Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);
        return socket;
    }

    /** Sends a signal by name ("TERM", "HUP", "USR1") with kill(1). */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " failed");
        }
    }

    /** The lines of a file the process writes in its directory (an access log at %DIR%/NAME), none before it exists. */
    public List<String> lines(String name) {
        return read(dir.resolve(name)).lines().toList();
    }

    /** Everything the process printed, and its error log when it writes one to DIR/error.log. */
    public String output() {
        return read(dir.resolve("out.log")) + read(dir.resolve("error.log"));
    }

    public boolean refuses() {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Waits for the exit and returns the code; fails after {@code limit}. */
    public int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + limit.toMillis() + "ms: " + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    /**
     * loomproxy's own classes as a jar, as users run it ({@code java -jar}, through the jar's
     * Main-Class {@code loomproxy.cli.Start}): the test classpath would add a directory, where every
     * class loaded late needs a file descriptor of its own. Tests run before Maven's package phase,
     * so this is made from target/classes.
     */
    public static synchronized Path jar() throws IOException {
        if (jar == null) {
            Path classes = Path.of("target", "classes").toAbsolutePath();
            Path file = Files.createTempFile("loomproxy-test-", ".jar");
            file.toFile().deleteOnExit();
            Files.delete(file);
            ToolProvider tool = ToolProvider.findFirst("jar").orElseThrow(() -> new IOException("no jar tool in this JDK"));
            StringWriter out = new StringWriter();
            int code = tool.run(new PrintWriter(out), new PrintWriter(out), "--create", "--file", file.toString(),
                    "--main-class", "loomproxy.cli.Start", "-C", classes.toString(), ".");
            if (code != 0) {
                throw new IOException("jar failed: " + out);
            }
            jar = file;
        }
        return jar;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}

package loomproxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * loomproxy as users run it: a separate JVM started with a configuration file, told things with
 * real signals, read through its error log and output. The configuration text may use {@code %PORT%}
 * for a free loopback port chosen here and {@code %DIR%} for the process's directory.
 */
public final class ProxyProcess implements AutoCloseable {
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
        int port = freePort();
        Path file = dir.resolve("loomproxy.properties");
        Files.writeString(file, config.replace("%PORT%", Integer.toString(port)).replace("%DIR%", dir.toString()));
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>();
        if (openFiles > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$@\"", "bash"));
        }
        command.addAll(List.of(java, "-cp", System.getProperty("java.class.path"), "loomproxy.cli.Main",
                file.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile()).start();
        ProxyProcess proxy = new ProxyProcess(process, dir, port);
        try {
            Wait.until(() -> proxy.output().contains("listening") || !process.isAlive(), Duration.ofSeconds(30),
                    () -> "did not start: " + proxy.output());
            if (!process.isAlive()) {
                throw new AssertionError("exited with " + process.exitValue() + ": " + proxy.output());
            }
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
        return proxy;
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

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}

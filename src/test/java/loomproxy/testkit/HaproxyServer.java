package loomproxy.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's HAProxy as a real PROXY protocol parser: a TCP frontend with {@code accept-proxy} and
 * TLS, run in the foreground from a configuration written into the test's directory.
 */
public final class HaproxyServer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/haproxy");

    private final Process process;
    private final Path dir;
    private final int port;

    private HaproxyServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /**
     * A frontend on a free loopback port that reads a PROXY header (v1 or v2, HAProxy tells them
     * apart itself), then TLS with {@code certificate}, and sends each connection on to
     * {@code backendPort} preceded by a v1 line ({@code send-proxy}) with the addresses it parsed.
     */
    public static HaproxyServer acceptProxy(Path dir, Issued certificate, int backendPort)
            throws IOException, InterruptedException {
        int port = Ports.free();
        Files.createDirectories(dir);
        // HAProxy wants the chain and its key in one file.
        Path pem = dir.resolve("server.pem");
        Files.writeString(pem, Files.readString(certificate.chainPem()) + Files.readString(certificate.keyPem()));
        String conf = """
                global
                    maxconn 100
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend fe
                    bind 127.0.0.1:%d accept-proxy ssl crt %s
                    default_backend be
                backend be
                    server echo 127.0.0.1:%d send-proxy
                """.formatted(port, pem, backendPort);
        Files.writeString(dir.resolve("haproxy.cfg"), conf);
        Process process = new ProcessBuilder(List.of(BINARY.toString(), "-db", "-f", dir.resolve("haproxy.cfg").toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("output.log").toFile()).start();
        HaproxyServer haproxy = new HaproxyServer(process, dir, port);
        Wait.until(() -> !process.isAlive() || Ports.accepts(port), Duration.ofSeconds(20), () -> "haproxy did not listen");
        if (!process.isAlive()) {
            throw new IllegalStateException("haproxy exited: " + haproxy.output());
        }
        return haproxy;
    }

    public int port() {
        return port;
    }

    public String output() {
        try {
            return Files.readString(dir.resolve("output.log"));
        } catch (IOException e) {
            return "[" + e.getMessage() + "]";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

package loomproxy.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import loomproxy.config.ConfigException;

/**
 * {@code loomproxy --demo}: the whole product on loopback with nothing from the user. It makes a CA
 * and certificates in memory, starts a TLS echo upstream that requires a client certificate, writes
 * an ordinary configuration file for them, and runs the proxy from that file — the same code path
 * as a real start. It then proves the path by itself (two connections: echo through mutual TLS,
 * verified, the second resuming the first's session) and waits for the user to try it with bash's
 * {@code /dev/tcp}, python3 or nc.
 */
final class Demo {
    private Demo() {
    }

    static int run(PrintStream out, PrintStream err, CountDownLatch stop, Main.SignalHook signals) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("loomproxy-demo-");
            DemoPki pki = DemoPki.create();
            try (DemoUpstream upstream = new DemoUpstream(pki, out)) {
                int port = freePort();
                Path config = writeFiles(dir, pki, upstream.port(), port);
                return serve(config, port, upstream, out, err, stop, signals);
            }
        } catch (IOException | GeneralSecurityException e) {
            err.println("loomproxy: demo failed: " + e.getMessage());
            return Main.RUNTIME_FAILURE;
        } finally {
            deleteQuietly(dir);
        }
    }

    private static int serve(Path config, int port, DemoUpstream upstream, PrintStream out, PrintStream err,
                             CountDownLatch stop, Main.SignalHook signals) throws IOException {
        AtomicReference<Launch> running = new AtomicReference<>();
        signals.install(stop::countDown, signal -> Main.otherSignal(signal, running.get(), null, err));
        Launch launch;
        try {
            launch = Launch.prepare(config, out, err);
        } catch (ConfigException e) {
            Main.printProblems(e, err, config, true);
            return Main.CONFIG_ERROR;
        }
        running.set(launch);
        try (launch) {
            launch.proxy().start();
            out.printf("""
                    loomproxy demo
                      upstream  TLS 1.3 echo server on 127.0.0.1:%d, requires a client certificate
                      proxy     plain TCP on 127.0.0.1:%d -> mutual TLS to the upstream, chain and name verified,
                                TLS sessions reused
                      config    %s (certificates beside it; removed on exit)
                    %n""", upstream.port(), port, config);
            if (!selfCheck(port, upstream, out)) {
                err.println("loomproxy: demo self-check failed");
                return Main.RUNTIME_FAILURE;
            }
            out.printf("%n%s%nAccess log lines follow; \"r\" means the upstream TLS session was resumed. Ctrl-C stops.%n%n",
                    tryIt(port, System.getenv("PATH")));
            stop.await();
            launch.proxy().shutdown(launch.config().shutdownTimeout());
            return Main.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.RUNTIME_FAILURE;
        }
    }

    /**
     * Commands that work on a default system: bash's {@code /dev/tcp} always (a default Debian has
     * neither nc nor telnet), python3 and nc when they are on the PATH.
     */
    static String tryIt(int port, String path) {
        StringBuilder text = new StringBuilder("Try it (a line sent through the proxy comes back through mutual TLS):\n");
        text.append("  exec 3<>/dev/tcp/127.0.0.1/").append(port)
                .append("; echo hello >&3; head -1 <&3; exec 3<&-   # bash\n");
        if (onPath("python3", path)) {
            text.append("  python3 -c 'import socket; s = socket.create_connection((\"127.0.0.1\", ").append(port)
                    .append(")); s.sendall(b\"hello\\n\"); print(s.makefile().readline(), end=\"\")'\n");
        }
        for (String nc : new String[] {"nc", "ncat", "netcat"}) {
            if (onPath(nc, path)) {
                text.append("  ").append(nc).append(" 127.0.0.1 ").append(port).append("   # then type lines; Ctrl-C ends\n");
                break;
            }
        }
        return text.toString().stripTrailing();
    }

    private static boolean onPath(String command, String path) {
        if (path == null) {
            return false;
        }
        return Arrays.stream(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    /** Two round trips through the proxy; the upstream must see the second one resume. */
    private static boolean selfCheck(int port, DemoUpstream upstream, PrintStream out) throws IOException {
        for (int i = 1; i <= 2; i++) {
            String message = "hello through loomproxy " + i + "\n";
            String echoed = roundTrip(port, message);
            if (!message.equals(echoed)) {
                out.println("self-check " + i + ": sent " + message.strip() + ", got " + echoed);
                return false;
            }
        }
        boolean resumed = upstream.resumed.get() >= 1;
        out.println("self-check: 2 echoes intact through mutual TLS; upstream saw " + upstream.handshakes.get()
                + " handshakes, " + upstream.resumed.get() + " resumed" + (resumed ? " - session reuse works" : ""));
        return resumed;
    }

    private static String roundTrip(int port, String message) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream o = socket.getOutputStream();
            o.write(message.getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            byte[] expected = new byte[message.getBytes(StandardCharsets.UTF_8).length];
            int read = 0;
            while (read < expected.length) {
                int n = in.read(expected, read, expected.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            return new String(Arrays.copyOf(expected, read), StandardCharsets.UTF_8);
        }
    }

    private static Path writeFiles(Path dir, DemoPki pki, int upstreamPort, int port) throws IOException {
        Files.writeString(dir.resolve("ca.pem"), DemoPki.pem(pki.ca()));
        Files.writeString(dir.resolve("client.pem"), DemoPki.pem(pki.client().certificate()));
        // Owner-only, as any private key should be (--check and a start warn about one others can read).
        Path key = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? Files.createFile(dir.resolve("client.key"),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : dir.resolve("client.key");
        Files.writeString(key, DemoPki.pem(pki.client().key()));
        Path config = dir.resolve("loomproxy.properties");
        Files.writeString(config, """
                # Written by loomproxy --demo: an ordinary configuration, read by the ordinary loader.
                upstream.demo = localhost:%d
                server.demo.listen = 127.0.0.1:%d
                server.demo.proxy_pass = demo
                proxy_ssl = on
                proxy_ssl_certificate = client.pem
                proxy_ssl_certificate_key = client.key
                proxy_ssl_trusted_certificate = ca.pem
                proxy_ssl_verify = on
                proxy_ssl_verify_depth = 1
                proxy_ssl_session_reuse = on
                proxy_connect_timeout = 5s
                shutdown_timeout = 2s
                """.formatted(upstreamPort, port));
        return config;
    }

    /** The demo picks a free port up front so it can print it before starting. */
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("loomproxy: could not remove " + dir + ": " + e.getMessage());
        }
    }
}

package loomproxy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import loomproxy.cli.BenchPki;

/**
 * The benchmarks' upstream, run as its own JVM by {@link UpstreamProcess} so that the CPU time and
 * memory measured in the benchmark JVM are the proxy's (and the thin client's), not the upstream's.
 * A TLS 1.2 + 1.3 echo server on 127.0.0.1 that requires a client certificate from the bench CA.
 *
 * <p>Protocol on its standard streams: it prints {@code port N} once listening, then one
 * {@link Summary} line (counts so far) for each line it reads; when its standard input ends it
 * prints a last one and exits.
 */
public final class EchoUpstream {
    private final SSLServerSocket server;
    private final AtomicLong full = new AtomicLong();
    private final AtomicLong resumed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    private EchoUpstream(SSLServerSocket server) {
        this.server = server;
    }

    /** {@code args[0]}: the folder {@link BenchPki#write} filled. */
    public static void main(String[] args) throws Exception {
        EchoUpstream upstream = new EchoUpstream(listen(Path.of(args[0])));
        System.out.println("port " + upstream.server.getLocalPort());
        System.out.flush();
        Thread.ofPlatform().daemon().name("echo upstream accept").start(upstream::acceptLoop);
        var commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        while (commands.readLine() != null) { // each line asks for the counts so far
            upstream.printSummary();
        }
        upstream.server.close(); // the benchmark closed our stdin: done
        upstream.printSummary();
    }

    private void printSummary() {
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        System.out.println(new Summary(full.get(), resumed.get(), errors.get(), cpu).line());
        System.out.flush();
    }

    private static SSLServerSocket listen(Path dir) throws IOException, GeneralSecurityException {
        char[] password = BenchPki.PASSWORD.toCharArray();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(load(dir.resolve(BenchPki.UPSTREAM_KEYS)), password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(load(dir.resolve(BenchPki.UPSTREAM_TRUST)));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        // A backlog above the idle-session benchmark's 1000 connections opened back to back.
        var server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 2048, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        server.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        return server;
    }

    private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, BenchPki.PASSWORD.toCharArray());
        }
        return store;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                // As the proxy does on its sockets (and NGINX by default, tcp_nodelay on): without it
                // a small write after an unacknowledged one waits for the peer's delayed ACK (~40 ms).
                socket.setTcpNoDelay(true);
                long accepted = System.currentTimeMillis();
                Thread.ofVirtual().name("echo upstream").start(() -> echo((SSLSocket) socket, accepted));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    errors.incrementAndGet();
                }
            }
        }
    }

    private void echo(SSLSocket socket, long accepted) {
        try (socket) {
            socket.startHandshake();
            // A resumed session keeps the creation time of the full handshake that made it, which
            // (one connection at a time in the handshake benchmark) came before this accept.
            (socket.getSession().getCreationTime() < accepted ? resumed : full).incrementAndGet();
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[16384];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // Resets when the proxy shuts down with sessions open are expected; the count says how many.
            errors.incrementAndGet();
        }
    }

    /** What the upstream saw, and its own process CPU time. */
    record Summary(long full, long resumed, long errors, long cpuNanos) {
        String line() {
            return "summary " + full + " " + resumed + " " + errors + " " + cpuNanos;
        }

        static Summary parse(String line) {
            String[] words = line.split(" ");
            if (words.length != 5 || !words[0].equals("summary")) {
                throw new IllegalStateException("echo upstream: expected a summary line, got: " + line);
            }
            return new Summary(Long.parseLong(words[1]), Long.parseLong(words[2]), Long.parseLong(words[3]),
                    Long.parseLong(words[4]));
        }

        long handshakes() {
            return full + resumed;
        }

        /** What happened between {@code earlier} and this one. */
        Summary since(Summary earlier) {
            return new Summary(full - earlier.full, resumed - earlier.resumed, errors - earlier.errors,
                    cpuNanos - earlier.cpuNanos);
        }
    }
}

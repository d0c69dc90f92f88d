package loomproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import loomproxy.cli.BenchPki;
import loomproxy.config.ConfigLoader;
import loomproxy.config.LogLevel;
import loomproxy.config.Problems;
import loomproxy.config.ProxyConfig;
import loomproxy.observe.AccessLog;
import loomproxy.observe.ErrorLog;
import loomproxy.proxy.Proxy;

/**
 * What the end-to-end benchmarks run against: the demo PKI in a temporary folder, the
 * {@link EchoUpstream} in its own JVM, and a loomproxy started from an ordinary properties file by
 * the ordinary loader (plain TCP in, mutual TLS out, chain and name verified), as {@code bin/loomproxy}
 * would start it. The access log is formatted for every session, as in production, but not written.
 */
final class Rig implements AutoCloseable {
    /** Client sockets give up instead of hanging a benchmark forever. */
    private static final int CLIENT_TIMEOUT_MILLIS = 30_000;

    private final Path dir;
    private final UpstreamProcess upstream;
    private final Proxy proxy;
    private final int port;
    private final LongAdder accessLogChars = new LongAdder();

    private Rig(Path dir, UpstreamProcess upstream, String extraProperties) throws Exception {
        this.dir = dir;
        this.upstream = upstream;
        Path file = dir.resolve("loomproxy.properties");
        Files.writeString(file, properties(upstream.port()) + extraProperties);
        ProxyConfig config = ConfigLoader.load(file);
        // Warnings and errors reach the benchmark output: a failing session must not pass unseen.
        var errorLog = new ErrorLog(line -> System.err.println("loomproxy: " + line), LogLevel.WARN, Clock.systemUTC());
        AccessLog accessLog = config.accessLog().enabled()
                ? AccessLog.compile(config.accessLog().format(), line -> accessLogChars.add(line.length()))
                : null;
        proxy = Proxy.prepare(config, errorLog, accessLog, new Problems());
        proxy.start();
        port = proxy.addresses().get("bench").get(0).getPort();
    }

    /** Starts everything; {@code extraProperties} are appended to the base configuration (later keys win). */
    static Rig start(String extraProperties) throws Exception {
        Path dir = Files.createTempDirectory("loomproxy-jmh-");
        BenchPki.write(dir);
        UpstreamProcess upstream = UpstreamProcess.start(dir);
        try {
            return new Rig(dir, upstream, extraProperties);
        } catch (Exception | Error e) {
            upstream.close();
            delete(dir);
            throw e;
        }
    }

    private static String properties(int upstreamPort) {
        return """
                upstream.bench = localhost:%d
                server.bench.listen = 127.0.0.1:0
                server.bench.proxy_pass = bench
                proxy_ssl = on
                proxy_ssl_certificate = %s
                proxy_ssl_certificate_key = %s
                proxy_ssl_trusted_certificate = %s
                proxy_ssl_verify = on
                proxy_ssl_verify_depth = 1
                proxy_connect_timeout = 10s
                shutdown_timeout = 1s
                """.formatted(upstreamPort, BenchPki.CLIENT_CERTIFICATE, BenchPki.CLIENT_KEY, BenchPki.CA);
    }

    Proxy proxy() {
        return proxy;
    }

    /** A plain TCP connection to the proxy's listener. */
    Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Writes {@code out} and reads as many bytes back into {@code in}, failing on a short echo. */
    static void roundTrip(Socket socket, byte[] out, byte[] in) throws IOException {
        socket.getOutputStream().write(out);
        readFully(socket.getInputStream(), in);
    }

    static void readFully(InputStream stream, byte[] into) throws IOException {
        int read = 0;
        while (read < into.length) {
            int n = stream.read(into, read, into.length - read);
            if (n < 0) {
                throw new IOException("the proxy closed the session after " + read + " of " + into.length + " echoed bytes");
            }
            read += n;
        }
    }

    /** What the upstream has seen so far (handshakes, resumptions) and its JVM's CPU time so far. */
    EchoUpstream.Summary upstreamSummary() throws IOException {
        return upstream.summary();
    }

    /** Shuts the proxy down, stops the upstream and returns what the upstream saw. */
    EchoUpstream.Summary stop() throws IOException {
        proxy.shutdown(Duration.ofSeconds(1));
        return upstream.stop();
    }

    @Override
    public void close() throws IOException {
        try {
            stop();
        } finally {
            upstream.close();
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

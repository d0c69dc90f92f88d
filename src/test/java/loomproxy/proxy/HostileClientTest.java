package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import loomproxy.testkit.Bystander;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Flood;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.ResetStorm;
import loomproxy.testkit.SocketQueues;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that behave as an attacker or a broken fleet would: reset storms, connection churn, a
 * flood that never reads. The proxy must end every such session itself, with one access-log line
 * and no stack trace, keep nothing open afterwards, hold no more than its buffers, and meanwhile
 * serve a well-behaved session intact.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileClientTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** The flooding client's own socket buffers, each way. */
    private static final int CLIENT_BUFFER = 32 * 1024;
    /** The largest TLS record on the wire: 16 KiB of data plus header, padding and tag (RFC 8446 §5.2). */
    private static final int TLS_RECORD = 16 * 1024 + 256;
    /** What an EchoServer connection reads at a time before writing it back. */
    private static final int ECHO_BUFFER = 64 * 1024;
    private static final int PROXY_BUFFER = 16 * 1024;
    /**
     * What the processes on the way may hold of a blocked flood: the proxy's two pump buffers and
     * a TLS record in each direction of its SSLSocket; the echo server's buffer and its two records.
     */
    private static final int HELD_IN_PROCESSES = 2 * PROXY_BUFFER + 2 * TLS_RECORD + ECHO_BUFFER + 2 * TLS_RECORD;

    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Clients", 0);
    }

    /** What no error log line may ever be: a stack trace, a bug of ours, or more than one line. */
    private static void assertCleanErrorLog(TestProxy proxy) {
        for (String line : proxy.errors().lines()) {
            assertTrue(!line.contains("\n") && !line.contains("\r"), "a line split in two: " + line);
            assertTrue(!line.contains("Exception") && !line.contains("\tat "), "a stack trace or exception name: " + line);
            assertTrue(!line.contains("internal error"), "a bug of ours: " + line);
        }
    }

    /**
     * Hundreds of clients that connect and reset at once, half of them after a few bytes, while a
     * well-behaved session streams 10 MB each way: it gets every byte back intact; every reset
     * session ends with its one access-log line and at most one info line, never a stack trace;
     * afterwards no session and no upstream connection is left open.
     */
    @Test
    void aStormOfResettingClientsLeavesNothingOpenAndAGoodSessionIntact() throws Exception {
        int clients = 400;
        try (EchoServer echo = tls.echo(true);
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + echo.port(), ""));
             Bystander bystander = Bystander.on(proxy.connect("main"), 1)) {
            bystander.awaitProgress(64 * 1024, LIMIT);
            ResetStorm.Result storm = ResetStorm.run(proxy.address("main"), clients, 8,
                    "GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(clients, storm.reset(), "clients that connected and reset: " + storm.failures());
            bystander.awaitEchoed(10L * 1024 * 1024, LIMIT);
            assertTrue(bystander.stop(LIMIT) >= 10L * 1024 * 1024);
            bystander.close();

            Wait.until(() -> proxy.proxy().openSessions() == 0, LIMIT,
                    () -> proxy.proxy().openSessions() + " sessions still open");
            Wait.until(() -> echo.open() == 0, LIMIT, () -> echo.open() + " upstream connections still open");
            List<String> lines = proxy.access().lines();
            assertEquals(clients + 1, lines.size(), "one access-log line per session");
            assertEquals(clients + 1, proxy.access().matching(" 200 ").size(), String.join("\n", lines));
            Set<String> sessions = new HashSet<>();
            for (String line : proxy.errors().lines()) {
                if (!line.contains(" listening on ")) {
                    assertTrue(line.contains(" [info] #") && line.endsWith(", server: main"), line);
                    assertTrue(sessions.add(line.split(" ")[3]), "a second line for one session: " + line);
                }
            }
            assertCleanErrorLog(proxy);
        }
    }

    /**
     * Connection churn: 3,000 short sessions from eight client threads (well over a thousand a
     * second on an idle machine), each echoing 16 bytes of its own through a plain upstream. Every
     * echo is intact, and the access log has exactly one line per session: status 200, 16 bytes each
     * way, a $connection number of its own and the client's own port.
     */
    @Test
    void thousandsOfShortSessionsEachEchoIntactWithOneLogLineEach() throws Exception {
        int sessions = 3000;
        int threads = 8;
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, """
                     server.main.listen = 127.0.0.1:0
                     server.main.proxy_pass = %s
                     server.steady.listen = 127.0.0.1:0
                     server.steady.proxy_pass = %s
                     log_format.churn = $connection $remote_port $status $bytes_sent $bytes_received
                     access_log = stdout churn
                     """.formatted(echo.address(), echo.address()));
             Bystander bystander = Bystander.on(proxy.connect("steady"), 3)) {
            bystander.awaitProgress(64 * 1024, LIMIT);
            List<Integer> ports = Collections.synchronizedList(new ArrayList<>());
            try (ExecutorService clients = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().factory())) {
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int first = t;
                    done.add(clients.submit(() -> {
                        int intact = 0;
                        for (int i = first; i < sessions; i += threads) {
                            intact += shortSession(proxy.address("main"), i, ports) ? 1 : 0;
                        }
                        return intact;
                    }));
                }
                int intact = 0;
                for (Future<Integer> f : done) {
                    intact += f.get();
                }
                assertEquals(sessions, intact, "sessions whose echo came back intact");
            }
            bystander.awaitProgress(64 * 1024, LIMIT);
            bystander.stop(LIMIT);
            bystander.close();
            Wait.until(() -> proxy.access().lines().size() >= sessions + 1 && proxy.proxy().openSessions() == 0, LIMIT,
                    () -> proxy.access().lines().size() + " access-log lines, " + proxy.proxy().openSessions() + " open");
            List<String> lines = new ArrayList<>(proxy.access().lines());
            assertEquals(sessions + 1, lines.size(), "exactly one access-log line per session");
            lines.removeIf(line -> line.startsWith("1 ")); // the bystander's, session #1
            List<Integer> logged = new ArrayList<>();
            HashSet<String> numbers = new HashSet<>();
            for (String line : lines) {
                String[] f = line.split(" ");
                assertEquals(List.of("200", "16", "16"), List.of(f[2], f[3], f[4]), line);
                numbers.add(f[0]);
                logged.add(Integer.parseInt(f[1]));
            }
            assertEquals(sessions, numbers.size(), "distinct $connection numbers");
            Collections.sort(logged);
            List<Integer> used = new ArrayList<>(ports);
            Collections.sort(used);
            assertEquals(used, logged, "the logged client ports are the clients' own, each once");
            assertCleanErrorLog(proxy);
        }
    }

    /** Connects, sends 16 bytes of its own, reads them back and closes; true when they came back intact. */
    private static boolean shortSession(InetSocketAddress proxy, int n, List<Integer> ports) throws IOException {
        byte[] message = new byte[16];
        new Random(n).nextBytes(message);
        try (Socket c = new Socket()) {
            c.connect(proxy, 20_000);
            c.setSoTimeout(20_000);
            ports.add(c.getLocalPort());
            c.getOutputStream().write(message);
            return java.util.Arrays.equals(message, Bytes.readExactly(c.getInputStream(), message.length));
        }
    }

    /**
     * A client that sends as fast as it can and never reads, through an echo upstream: the proxy
     * stops reading from it once the way back is full, so the client's writes block after what the
     * buffers on the way hold, not after what memory holds. Meanwhile another session echoes intact;
     * when the client goes away everything is released.
     */
    @Test
    void aClientThatSendsAndNeverReadsIsHeldByBackPressure() throws Exception {
        try (EchoServer echo = tls.echo(true);
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + echo.port(), "proxy_buffer_size = 16k"));
             Bystander bystander = Bystander.on(proxy.connect("main"), 2);
             Socket flooding = floodingClient(proxy)) {
            Flood flood = new Flood(flooding);
            flood.awaitBlocked(Duration.ofSeconds(1), LIMIT);
            bystander.awaitProgress(1024 * 1024, LIMIT); // another session moves while the flood is held
            bystander.stop(LIMIT);
            bystander.close();
            Wait.until(() -> proxy.proxy().openSessions() == 1 && echo.open() == 1, LIMIT,
                    () -> "the bystander's session is still open");

            flood.awaitBlocked(Duration.ofSeconds(1), LIMIT); // still held, not just slow
            long accepted = flood.written();
            long bound = bound(flooding, PROXY_BUFFER);
            assertTrue(accepted <= bound, "the flood got " + accepted + " bytes in; the buffers on the way hold at most " + bound);
            if (SocketQueues.available()) {
                // Every byte the flood got in is in a kernel queue on the way or in a process's buffer.
                long held = accepted - SocketQueues.queued(Set.of(proxy.port("main"), echo.port()));
                assertTrue(held <= 2 * HELD_IN_PROCESSES, "the proxy and the echo server hold " + held
                        + " of the flood's " + accepted + " bytes; their buffers are " + HELD_IN_PROCESSES);
            }

            flooding.setSoLinger(true, 0);
            flooding.close();
            assertNotNull(flood.awaitEnd(LIMIT), "the flood's writes fail");
            proxy.errors().await("#2 ", "client failed: Connection reset", "server: main");
            Wait.until(() -> proxy.proxy().openSessions() == 0, LIMIT,
                    () -> proxy.proxy().openSessions() + " sessions still open");
            Wait.until(() -> echo.open() == 0, LIMIT, () -> echo.open() + " upstream connections still open");
            assertEquals(2, proxy.access().matching(" 200 ").size(), String.join("\n", proxy.access().lines()));
            assertCleanErrorLog(proxy);
        }
    }

    /**
     * The same flood left alone: with nothing moving for proxy_timeout the session ends by itself,
     * resetting the client it could not write to, and releases the upstream connection; a busy
     * session beside it is not idle and goes on intact.
     */
    @Test
    void aFloodThatNeverReadsEndsAtTheIdleTimeout() throws Exception {
        try (EchoServer echo = tls.echo(true);
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + echo.port(), "proxy_timeout = 2s"));
             Bystander bystander = Bystander.on(proxy.connect("main"), 4);
             Socket flooding = floodingClient(proxy)) {
            Flood flood = new Flood(flooding);
            assertNotNull(flood.awaitEnd(LIMIT), "the flood's writes fail once the proxy resets it");
            bystander.awaitProgress(64 * 1024, LIMIT);
            bystander.stop(LIMIT);
            bystander.close();
            long bound = bound(flooding, PROXY_BUFFER);
            assertTrue(flood.written() <= bound, "the flood got " + flood.written() + " bytes in; at most " + bound);
            proxy.errors().await("#2 timed out after 2000ms of no data (proxy_timeout)", "server: main");
            Wait.until(() -> proxy.proxy().openSessions() == 0, LIMIT,
                    () -> proxy.proxy().openSessions() + " sessions still open");
            Wait.until(() -> echo.open() == 0, LIMIT, () -> echo.open() + " upstream connections still open");
            assertEquals(2, proxy.access().matching(" 200 ").size(), String.join("\n", proxy.access().lines()));
            assertCleanErrorLog(proxy);
        }
    }

    /**
     * A client socket with small buffers of its own, set before it connects, whose session is
     * relaying: a first echo has come back, so what holds the flood later is not the handshake.
     */
    private static Socket floodingClient(TestProxy proxy) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(CLIENT_BUFFER);
        socket.setSendBufferSize(CLIENT_BUFFER);
        socket.connect(proxy.address("main"), 20_000);
        socket.setSoTimeout(20_000);
        Bytes.write(socket, "ready");
        assertEquals("ready", Bytes.readString(socket, 5));
        return socket;
    }

    /**
     * What every buffer between a flooding client and an echo upstream can hold, twice over: the
     * client's own (as the kernel reports them), the proxy's two pump buffers (proxy_buffer_size)
     * and a TLS record on each side, the echo server's buffer, and for the three sockets this test
     * cannot size (the proxy's two, the echo server's) the kernel's ceilings for autotuned buffers,
     * tcp_rmem and tcp_wmem. Unbounded buffering in the proxy would go past it within a second.
     */
    private static long bound(Socket client, int proxyBufferSize) throws IOException {
        long own = client.getReceiveBufferSize() + client.getSendBufferSize();
        long proxy = 2L * proxyBufferSize + 2L * TLS_RECORD;
        long unsized = 3 * (ceiling("tcp_rmem") + ceiling("tcp_wmem"));
        return 2 * (own + proxy + ECHO_BUFFER + unsized);
    }

    /** The third value of /proc/sys/net/ipv4/tcp_rmem or tcp_wmem: the most autotuning gives a socket. */
    private static long ceiling(String sysctl) throws IOException {
        // Read as a stream: /proc files report a size of 0, and Files.readAllBytes trusts it.
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4", sysctl))) {
            String[] values = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            return Long.parseLong(values[2]);
        }
    }
}

package loomproxy.proxy;

import static loomproxy.testkit.Loopback.Outcome.REFUSED;
import static loomproxy.testkit.Loopback.Outcome.THROUGH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import loomproxy.config.ConfigLoader;
import loomproxy.config.ServerConfig;
import loomproxy.observe.AccessLog;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Loopback;
import loomproxy.testkit.PromText;
import loomproxy.testkit.RecordingLog;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import loomproxy.upstream.UpstreamGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * limit_conn and limit_conn_per_addr (SPEC §9) with real clients bound to their own loopback
 * addresses: who is refused with 503 and at which log level, how many upstream connections were
 * made (none for a refused client), the order limits-then-rules, and that the counters come back to
 * zero on every path — a normal end, a reload in between, shutdown, an exception in a session, a
 * failing access log — and carry over a reload.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LimitConnTest {
    @TempDir
    Path dir;

    private final List<Socket> held = new ArrayList<>();

    /** Also a resource of each test, declared after its proxy so the held sessions end before it shuts down. */
    @AfterEach
    void closeHeld() throws IOException {
        for (Socket s : held) {
            s.close();
        }
        held.clear();
    }

    private static String config(EchoServer echo, String server) {
        return """
                upstream.backend = %s
                log_format.t = $remote_addr $status $upstream_addr
                access_log = stdout t
                server.main.listen = 127.0.0.1:0, [::1]:0
                server.main.proxy_pass = backend
                %s
                """.formatted(echo.address(), server);
    }

    /** A session from {@code from} that got through and stays open until the test ends (or closes it). */
    private Socket hold(String from, InetSocketAddress to) throws IOException {
        Socket socket = Loopback.connect(from, to);
        held.add(socket);
        assertEquals(THROUGH, Loopback.echoOrRefused(socket), from + " should get through");
        return socket;
    }

    /** Closes a held session and waits until it has ended (its access log line), which frees its slots. */
    private static void end(TestProxy proxy, Socket socket, int linesAfter) throws IOException {
        socket.close();
        Wait.until(() -> proxy.access().lines().size() >= linesAfter, Duration.ofSeconds(20),
                () -> "access log: " + proxy.access().lines());
    }

    private static InetSocketAddress v4(TestProxy proxy) {
        return proxy.address("main");
    }

    private static InetSocketAddress v6(TestProxy proxy) {
        return proxy.proxy().addresses().get("main").stream().filter(a -> a.getAddress() instanceof Inet6Address)
                .findFirst().orElseThrow();
    }

    private static double sessions(TestProxy proxy, String status) {
        return PromText.parse(proxy.proxy().metrics().scrape()).find("loomproxy_sessions_total",
                PromText.labels("server", "main", "status", status)).orElse(0.0);
    }

    private static void awaitNoCounts(TestProxy proxy) {
        Limits.Counts counts = proxy.proxy().limits().of("main");
        Wait.until(() -> counts.open() == 0 && counts.addresses().size() == 0, Duration.ofSeconds(20),
                () -> "counted: " + counts.open() + " sessions, " + counts.addresses().size() + " addresses");
    }

    @Test
    void limitConnRefusesTheConnectionOverTheBlocksLimitWith503() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo, "server.main.limit_conn = 2"));
             AutoCloseable clients = this::closeHeld) {
            Socket first = hold("127.0.0.1", v4(proxy));
            hold("::1", v6(proxy));
            assertEquals(REFUSED, Loopback.tryFrom("127.0.0.3", v4(proxy)));
            assertEquals(REFUSED, Loopback.tryFrom("::1", v6(proxy)));
            String line = proxy.errors().await("limiting connections by limit_conn 2, client: 127.0.0.3:");
            assertTrue(line.matches(".* \\[error] #3 limiting connections by limit_conn 2, client: 127\\.0\\.0\\.3:\\d+, server: main"), line);
            Wait.until(() -> proxy.access().lines().size() == 2, Duration.ofSeconds(20), () -> "" + proxy.access().lines());
            assertEquals(List.of("127.0.0.3 503 -", "::1 503 -"), proxy.access().lines().stream().sorted().toList());
            assertEquals(2, echo.accepted(), "no upstream connection for a refused client");

            end(proxy, first, 3);
            assertEquals(THROUGH, Loopback.tryFrom("127.0.0.3", v4(proxy)), "the ended session's slot is free");
            assertEquals(2.0, sessions(proxy, "503"));
            assertEquals(3, echo.accepted());
        }
    }

    @Test
    void limitConnPerAddrCountsEachClientAddressApart() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo, """
                     server.main.limit_conn_per_addr = 2
                     server.main.limit_conn_log_level = warn
                     """));
             AutoCloseable clients = this::closeHeld) {
            hold("127.0.0.2", v4(proxy));
            hold("127.0.0.2", v4(proxy));
            hold("::1", v6(proxy));
            hold("::1", v6(proxy));
            assertEquals(REFUSED, Loopback.tryFrom("127.0.0.2", v4(proxy)));
            assertEquals(REFUSED, Loopback.tryFrom("::1", v6(proxy)));
            hold("127.0.0.3", v4(proxy));
            hold("127.0.0.3", v4(proxy));
            String line = proxy.errors().await("limiting connections by limit_conn_per_addr 2, client: 127.0.0.2:");
            assertTrue(line.contains(" [warn] #5 "), line);
            proxy.errors().await("[warn] #6 limiting connections by limit_conn_per_addr 2, client: ::1:");
            assertEquals(6, echo.accepted());
            Limits.Counts counts = proxy.proxy().limits().of("main");
            assertEquals(3, counts.addresses().size(), "one entry per address with open sessions");
            assertEquals(6, counts.open());

            closeHeld();
            awaitNoCounts(proxy);
            assertEquals(2.0, sessions(proxy, "503"));
            assertEquals(6.0, sessions(proxy, "200"));
        }
    }

    /** NGINX's phases: preaccess (limit_conn) before access (allow/deny). */
    @Test
    void limitsComeBeforeAccessRulesAndADeniedClientHoldsItsSlotOnlyUntilClosed() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo, """
                     server.main.limit_conn = 1
                     server.main.limit_conn_log_level = notice
                     server.main.deny = 127.0.0.2
                     """));
             AutoCloseable clients = this::closeHeld) {
            Socket holder = hold("127.0.0.1", v4(proxy));
            assertEquals(REFUSED, Loopback.tryFrom("127.0.0.2", v4(proxy)));
            proxy.errors().await("[notice] #2 limiting connections by limit_conn 1, client: 127.0.0.2:");
            proxy.access().await("127.0.0.2 503 "); // its access line comes after the error line: order the log
            end(proxy, holder, 2);
            assertEquals(REFUSED, Loopback.tryFrom("127.0.0.2", v4(proxy)));
            proxy.errors().await("[error] #3 access forbidden by rule, client: 127.0.0.2:");
            Wait.until(() -> proxy.access().lines().size() == 3, Duration.ofSeconds(20), () -> "" + proxy.access().lines());
            assertEquals(THROUGH, Loopback.tryFrom("127.0.0.1", v4(proxy)), "the 403 session gave its slot back");
            assertEquals(List.of("127.0.0.2 503 -", "127.0.0.1 200 " + echo.address(), "127.0.0.2 403 -"),
                    proxy.access().lines().subList(0, 3));
            assertEquals(2, echo.accepted());
        }
    }

    /** SPEC §7: a reload keeps the counters of blocks that stay; new rules and limits apply to new connections. */
    @Test
    void aReloadKeepsTheCountersAndAppliesTheNewSettingsToNewConnections() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo, "server.main.limit_conn = 2"));
             AutoCloseable clients = this::closeHeld) {
            Socket a = hold("127.0.0.1", v4(proxy));
            Socket b = hold("127.0.0.2", v4(proxy));
            proxy.reload(config(echo, """
                    server.main.limit_conn = 3
                    server.main.deny = 127.0.0.3
                    """).replace("127.0.0.1:0, [::1]:0", proxy.address("main").getAddress().getHostAddress() + ":"
                    + proxy.address("main").getPort() + ", [::1]:" + v6(proxy).getPort()));
            Socket c = hold("127.0.0.1", v4(proxy));
            assertEquals(REFUSED, Loopback.tryFrom("127.0.0.2", v4(proxy)), "the two sessions from before still count");
            proxy.errors().await("limiting connections by limit_conn 3, client: 127.0.0.2:");
            end(proxy, c, 2);
            assertEquals(REFUSED, Loopback.tryFrom("127.0.0.3", v4(proxy)));
            proxy.errors().await("access forbidden by rule, client: 127.0.0.3:");
            a.close();
            b.close();
            awaitNoCounts(proxy);
            assertEquals(3, echo.accepted());
        }
    }

    @Test
    void shutdownGivesBackTheSlotsOfTheSessionsItResets() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo, """
                     server.main.limit_conn = 5
                     server.main.limit_conn_per_addr = 3
                     """));
             AutoCloseable clients = this::closeHeld) {
            hold("127.0.0.1", v4(proxy));
            hold("127.0.0.2", v4(proxy));
            hold("127.0.0.2", v4(proxy));
            Limits.Counts counts = proxy.proxy().limits().of("main");
            assertEquals(3, counts.open());
            proxy.proxy().shutdown(Duration.ofMillis(100));
            assertEquals(0, counts.open());
            assertEquals(0, counts.addresses().size());
        }
    }

    /** A bug of ours in a session (status 500) and an access log that throws still give the slots back. */
    @Test
    void anExceptionInASessionOrItsLogLineGivesTheSlotsBack() throws Exception {
        RecordingLog errors = new RecordingLog();
        RecordingLog access = new RecordingLog();
        Limits limits = new Limits();
        AccessLog failing = AccessLog.compile("$status", line -> {
            access.add(line);
            if (access.lines().size() % 2 == 0) {
                throw new IllegalStateException("no space left on device");
            }
        });
        Sessions sessions = new Sessions(failing, errors.errorLog(), limits);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Deadlines deadlines = new Deadlines()) {
            Block block = BrokenBlock.in(dir, "limit_conn = 1\nlimit_conn_per_addr = 1", 0); // every session ends with 500
            Thread loop = Thread.ofPlatform().start(new Listener(server, block, sessions, deadlines, errors.errorLog(), false));
            try {
                for (int i = 1; i <= 4; i++) {
                    assertEquals(REFUSED, Loopback.tryFrom("127.0.0.2", (InetSocketAddress) server.getLocalSocketAddress()));
                    int lines = i;
                    Wait.until(() -> access.lines().size() == lines && sessions.count() == 0, Duration.ofSeconds(20),
                            () -> "access log: " + access.lines());
                }
            } finally {
                server.close();
                loop.join(Duration.ofSeconds(20));
            }
            assertEquals(List.of("500", "500", "500", "500"), access.lines(), "never 503: each session gave its slots back");
            assertEquals(4, errors.matching("internal error: java.lang.IllegalArgumentException").size());
            assertEquals(2, errors.matching("access log: internal error").size());
            assertEquals(0, limits.of("main").open());
            assertEquals(0, limits.of("main").addresses().size());
        }
    }

    /**
     * The per-address table is bounded: a new address that finds it full is refused with 503, and an
     * address leaves it when its last session ends. Made small here (2); the proxy's is
     * {@link Limits#ADDRESSES_PER_BLOCK}.
     */
    @Test
    void aClientThatCannotGetAnEntryInTheFullTableIsRefused() throws Exception {
        RecordingLog errors = new RecordingLog();
        RecordingLog access = new RecordingLog();
        Limits limits = new Limits(2);
        Sessions sessions = new Sessions(AccessLog.compile("$remote_addr $status", access::add), errors.errorLog(), limits);
        try (EchoServer echo = EchoServer.plain();
             ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Deadlines deadlines = new Deadlines()) {
            Path file = Files.writeString(dir.resolve("loomproxy.properties"), """
                    server.main.listen = 127.0.0.1:0
                    server.main.proxy_pass = %s
                    server.main.limit_conn_per_addr = 5
                    """.formatted(echo.address()));
            ServerConfig config = ConfigLoader.load(file).servers().get(0);
            Block block = new Block(config, new UpstreamGroup(config.upstream(), InstantSource.system()),
                    Optional.empty());
            Thread loop = Thread.ofPlatform().start(new Listener(server, block, sessions, deadlines, errors.errorLog(), false));
            InetSocketAddress to = (InetSocketAddress) server.getLocalSocketAddress();
            try {
                hold("127.0.0.2", to);
                Socket three = hold("127.0.0.3", to);
                assertEquals(REFUSED, Loopback.tryFrom("127.0.0.4", to));
                errors.await("[error] #3 limiting connections by limit_conn_per_addr 5: no room for another client address"
                        + " (2 in the table), client: 127.0.0.4:");
                hold("127.0.0.2", to);
                assertEquals(2, limits.of("main").addresses().size());
                three.close();
                Wait.until(() -> limits.of("main").addresses().size() == 1, Duration.ofSeconds(20), () -> "127.0.0.3 left");
                hold("127.0.0.4", to);
                assertEquals(4, echo.accepted());
                closeHeld();
                Wait.until(() -> limits.of("main").addresses().size() == 0 && sessions.count() == 0,
                        Duration.ofSeconds(20), () -> "addresses: " + limits.of("main").addresses().size());
            } finally {
                server.close();
                loop.join(Duration.ofSeconds(20));
            }
            assertEquals(1, access.matching("127.0.0.4 503").size());
        }
    }
}

package loomproxy.proxy;

import static loomproxy.testkit.Loopback.Outcome.REFUSED;
import static loomproxy.testkit.Loopback.Outcome.THROUGH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import loomproxy.testkit.Checksums;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Loopback;
import loomproxy.testkit.PromText;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * limit_conn_per_addr under a flood from one address (SPEC §9): every refusal the clients see is
 * one 503 in the access log and in the metrics, no refused connection reaches the upstream, and
 * another client's 100 MB each way goes through intact meanwhile.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LimitFloodTest {
    private static final int FLOOD = 20_000;
    private static final int FLOOD_THREADS = 4;
    private static final long BULK = 100L * 1024 * 1024;

    @TempDir
    Path dir;

    private static String config(EchoServer echo) {
        return """
                upstream.backend = %s
                log_format.t = $remote_addr $status
                access_log = stdout t
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = backend
                server.main.limit_conn_per_addr = 10
                """.formatted(echo.address());
    }

    private static double sessions(TestProxy proxy, String status) {
        return PromText.parse(proxy.proxy().metrics().scrape()).find("loomproxy_sessions_total",
                PromText.labels("server", "main", "status", status)).orElse(0.0);
    }

    /**
     * 127.0.0.2 holds its 10 sessions, then opens 20,000 more as fast as four threads can (connect,
     * read to the end, close): each is refused. 127.0.0.1 moves 100 MB each way at the same time.
     */
    @Test
    void aFloodFromOneAddressIsRefusedConnectionByConnectionWhileAnotherClientsTransferCompletes() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo));
             AutoCloseable closeHeld = () -> closeAll(held);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            InetSocketAddress to = proxy.address("main");
            for (int i = 0; i < 10; i++) {
                Socket s = Loopback.connect("127.0.0.2", to);
                held.add(s);
                assertEquals(THROUGH, Loopback.echoOrRefused(s));
            }
            Socket bulk = Loopback.connect("127.0.0.1", to);
            held.add(bulk);
            Future<byte[]> sent = threads.submit(() -> Checksums.writeRandom(bulk.getOutputStream(), BULK, 7));
            Future<byte[]> received = threads.submit(() -> Checksums.digest(bulk.getInputStream(), BULK));

            AtomicInteger refused = new AtomicInteger();
            AtomicInteger through = new AtomicInteger();
            long started = System.nanoTime();
            List<Future<?>> flood = new ArrayList<>();
            for (int t = 0; t < FLOOD_THREADS; t++) {
                flood.add(threads.submit(() -> {
                    for (int i = 0; i < FLOOD / FLOOD_THREADS; i++) {
                        try (Socket s = Loopback.connect("127.0.0.2", to)) {
                            (endsWithoutData(s) ? refused : through).incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : flood) {
                f.get();
            }
            long floodMillis = (System.nanoTime() - started) / 1_000_000;
            assertArrayEquals(sent.get(), received.get(), "the 100 MB echoed through the proxy differ from what was sent");
            System.out.printf("flood: %d connections from one address in %d ms (%d/s), all refused; 100 MB each way alongside%n",
                    FLOOD, floodMillis, FLOOD * 1000L / Math.max(1, floodMillis));

            assertEquals(FLOOD, refused.get(), "every flood connection was closed with nothing from the upstream");
            assertEquals(0, through.get());
            Wait.until(() -> proxy.access().lines().size() == FLOOD, Duration.ofSeconds(60),
                    () -> proxy.access().lines().size() + " access log lines");
            assertEquals(FLOOD, proxy.access().matching("127.0.0.2 503").size());
            assertEquals(FLOOD, proxy.errors().matching("limiting connections by limit_conn_per_addr 10, client: 127.0.0.2:").size());
            assertEquals(FLOOD, (long) sessions(proxy, "503"));
            assertEquals(11, echo.accepted(), "10 held sessions and the bulk one reached the upstream, no flood connection");

            closeAll(held);
            Limits.Counts counts = proxy.proxy().limits().of("main");
            Wait.until(() -> counts.open() == 0 && counts.addresses().size() == 0, Duration.ofSeconds(30),
                    () -> counts.open() + " counted, " + counts.addresses().size() + " addresses");
            assertEquals(11, (long) sessions(proxy, "200"));
        }
    }

    /**
     * Rounds of 16 clients from one address opening at once and closing together once all have
     * their answer: exactly 10 get through and 6 are refused each round, and the clients' count of
     * refusals is the access log's count of 503s.
     */
    @Test
    void concurrentClientsOfOneAddressGetExactlyTheLimit() throws Exception {
        int rounds = 60;
        int clients = 16;
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            InetSocketAddress to = proxy.address("main");
            Limits.Counts counts = proxy.proxy().limits().of("main");
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger through = new AtomicInteger();
            for (int round = 0; round < rounds; round++) {
                CyclicBarrier answered = new CyclicBarrier(clients);
                List<Future<?>> all = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    all.add(threads.submit(() -> {
                        try (Socket s = Loopback.connect("127.0.0.2", to)) {
                            (Loopback.echoOrRefused(s) == REFUSED ? refused : through).incrementAndGet();
                            answered.await();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : all) {
                    f.get();
                }
                Wait.until(() -> counts.open() == 0, Duration.ofSeconds(20), () -> counts.open() + " sessions still counted");
            }
            assertEquals(rounds * 10, through.get());
            assertEquals(rounds * 6, refused.get());
            Wait.until(() -> proxy.access().lines().size() == rounds * clients, Duration.ofSeconds(20),
                    () -> proxy.access().lines().size() + " access log lines");
            assertEquals(refused.get(), proxy.access().matching(" 503").size());
            assertEquals(through.get(), proxy.access().matching(" 200").size());
            assertEquals(through.get(), echo.accepted());
            assertEquals(0, counts.addresses().size());
        }
    }

    /** True when the proxy ended the connection (EOF or reset) without sending a byte. */
    private static boolean endsWithoutData(Socket s) throws IOException {
        try {
            return s.getInputStream().read() < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }
}

package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.Checksums;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.Ports;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Volume through the real TLS path: 100 MB each way with checksums, 1,000 concurrent sessions, and
 * no thread or descriptor left behind afterwards.
 */
class VolumeTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Volume", 0);
    }

    private static String config(String servers) {
        return tls.proxyConfig(servers, "proxy_ssl_verify_depth = 0");
    }

    private static EchoServer upstream() throws IOException {
        return tls.echo(true);
    }

    @Test
    void hundredMegabytesEachWayArriveIntact() throws Exception {
        long size = 100L * 1024 * 1024;
        try (EchoServer echo = upstream();
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + echo.port()));
             Socket c = proxy.connect("main")) {
            Future<byte[]> sent;
            try (ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
                sent = writer.submit(() -> Checksums.writeRandom(c.getOutputStream(), size, 42));
                byte[] received = Checksums.digest(c.getInputStream(), size);
                assertArrayEquals(sent.get(), received, "the echoed stream differs from what was sent");
            }
        }
    }

    @Test
    void thousandConcurrentSessionsAllIntactAndNothingLeaks() throws Exception {
        int sessions = 1000;
        try (EchoServer echo = upstream()) {
            int refused = Ports.closed();
            try (TestProxy proxy = TestProxy.start(dir, config("localhost:" + echo.port()));
                 TestProxy failing = TestProxy.start(Files.createDirectories(dir.resolve("failing")),
                         config("localhost:" + refused))) {
                warmUp(proxy);
                long fdsBefore = openDescriptors();
                long threadsBefore = proxyThreads();
                List<Callable<Boolean>> work = new ArrayList<>();
                for (int i = 0; i < sessions; i++) {
                    int n = i;
                    work.add(() -> roundTrip(proxy, n));
                }
                for (int i = 0; i < 100; i++) {
                    work.add(() -> refusedSession(failing));
                }
                try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                    int intact = 0;
                    for (Future<Boolean> f : clients.invokeAll(work)) {
                        intact += f.get() ? 1 : 0;
                    }
                    assertEquals(sessions + 100, intact);
                }
                Wait.until(() -> proxy.proxy().openSessions() == 0 && failing.proxy().openSessions() == 0,
                        Duration.ofSeconds(30), () -> "sessions still open: " + proxy.proxy().openSessions());
                Wait.until(() -> proxyThreads() <= threadsBefore, Duration.ofSeconds(30), Duration.ofMillis(250),
                        () -> "session/pump threads left: " + proxyThreads() + " (before " + threadsBefore + ")");
                Wait.until(() -> openDescriptors() <= fdsBefore + 5, Duration.ofSeconds(30),
                        () -> "descriptors: " + openDescriptors() + " (before " + fdsBefore + ")");
                long resumed = echo.handshakes().stream().filter(EchoServer.Handshake::resumed).count();
                assertTrue(resumed > 0, "sessions resumed under concurrency: " + resumed);
            }
        }
    }

    /** One session first, so lazily made JDK resources are not counted as leaks; it also proves the thread count sees sessions. */
    private static void warmUp(TestProxy proxy) throws IOException {
        assertTrue(roundTrip(proxy, -1));
        try (Socket open = proxy.connect("main")) {
            Bytes.write(open, "held");
            assertEquals("held", Bytes.readString(open, 4));
            assertEquals(3, proxyThreads(), "a live session shows as one session and two pump threads");
        }
        Wait.until(() -> proxyThreads() == 0, Duration.ofSeconds(20), Duration.ofMillis(250), () -> "threads after warm-up: " + proxyThreads());
    }

    private static boolean roundTrip(TestProxy proxy, int n) throws IOException {
        byte[] message = new byte[1024];
        new Random(n).nextBytes(message);
        try (Socket c = proxy.connect("main")) {
            c.getOutputStream().write(message);
            return java.util.Arrays.equals(message, Bytes.readExactly(c.getInputStream(), message.length));
        }
    }

    private static boolean refusedSession(TestProxy proxy) throws IOException {
        try (Socket c = proxy.connect("main")) {
            return c.getInputStream().read() == -1;
        }
    }


    /** Open file descriptors of this JVM (Linux /proc). */
    private static long openDescriptors() {
        try (var files = Files.list(Path.of("/proc/self/fd"))) {
            return files.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Session and pump threads, virtual ones included, from a JDK thread dump. */
    private static long proxyThreads() {
        try {
            Path dump = Files.createTempFile("threads", ".txt");
            Files.delete(dump);
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            try {
                return Files.readAllLines(dump).stream()
                        .filter(l -> l.contains("\"session #") || l.contains("\"pump ")).count();
            } finally {
                Files.deleteIfExists(dump);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import loomproxy.config.ConfigLoader;
import loomproxy.config.ProxyConfig;
import loomproxy.config.Problems;
import loomproxy.observe.AccessLog;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.FullBacklog;
import loomproxy.testkit.RecordingLog;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Shutdown drains every session the proxy accepted, and nothing a session meets can hold the drain (SPEC §7). */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShutdownTest {
    @TempDir
    Path dir;

    private static String config(String upstream) {
        return """
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = %s
                """.formatted(upstream);
    }

    /**
     * The access log line is a session's last act; when writing it throws (a full disk, a bug), the
     * session must still leave the registry, or shutdown waits for it for the whole
     * shutdown_timeout and then reports it as stuck.
     */
    @Test
    void aFailingAccessLogDoesNotKeepTheSessionOpen() throws Exception {
        try (EchoServer echo = EchoServer.plain()) {
            ProxyConfig config = ConfigLoader.load(Files.writeString(dir.resolve("loomproxy.properties"),
                    config(echo.address())));
            RecordingLog errors = new RecordingLog();
            AccessLog diskFull = AccessLog.compile(config.accessLog().format(), line -> {
                throw new IllegalStateException("disk full");
            });
            Proxy proxy = Proxy.prepare(config, errors.errorLog(), diskFull, new Problems());
            proxy.start();
            try {
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(),
                        proxy.addresses().get("main").get(0).getPort())) {
                    client.setSoTimeout(20_000);
                    Bytes.write(client, "ping");
                    assertEquals("ping", Bytes.readString(client, 4));
                }
                Wait.until(() -> proxy.openSessions() == 0, Duration.ofSeconds(20),
                        () -> proxy.openSessions() + " sessions still registered after their end");
                long started = System.nanoTime();
                assertTrue(proxy.shutdown(Duration.ofSeconds(30)), "every session ended on its own");
                long tookMillis = (System.nanoTime() - started) / 1_000_000;
                assertTrue(tookMillis < 10_000, "shutdown took " + tookMillis + "ms with nothing open");
                errors.await("#1 access log: internal error: java.lang.IllegalStateException: disk full");
            } finally {
                proxy.shutdown(Duration.ZERO);
            }
        }
    }

    /**
     * A connection the listener accepted just as shutdown closed it must be registered before the
     * drain counts the open sessions, or it runs on after shutdown returned. The window is a few
     * microseconds per accept, so clients connect in a tight loop while the proxy shuts down, round
     * after round; once the listener thread is gone no session may be left.
     */
    @Test
    void aConnectionAcceptedWhileTheListenersCloseIsDrainedToo() throws Exception {
        try (EchoServer echo = EchoServer.plain()) {
            for (int round = 0; round < 30; round++) {
                Path roundDir = Files.createDirectories(dir.resolve("round" + round));
                List<Socket> clients = new CopyOnWriteArrayList<>();
                TestProxy proxy = TestProxy.start(roundDir, config(echo.address()));
                int port = proxy.port("main");
                AtomicBoolean closing = new AtomicBoolean();
                Thread connecting = Thread.ofPlatform().name("connecting").start(() -> connectUntilRefused(port, clients, closing));
                try {
                    Wait.until(() -> proxy.proxy().openSessions() >= 5, Duration.ofSeconds(20),
                            () -> "no session started");
                    closing.set(true);
                    proxy.proxy().shutdown(Duration.ZERO);
                    assertTrue(connecting.join(Duration.ofSeconds(20)), "the connecting thread ended");
                    awaitListenerGone(port);
                    assertEquals(0, proxy.proxy().openSessions(), "round " + round + ": "
                            + proxy.proxy().openSessions() + " sessions left after shutdown returned");
                } finally {
                    for (Socket client : clients) {
                        client.close();
                    }
                    proxy.close();
                }
            }
        }
    }

    /**
     * A session that shutdown resets before it has opened its upstream connection must not open
     * it afterwards: nothing would reset that one, and a connect to a server that drops SYNs (a full
     * backlog) would hold the session for proxy_connect_timeout, long after shutdown gave up on it.
     * Clients connect in a tight loop while the proxy shuts down, so the last sessions accepted are
     * caught at every step before their connect: not yet running, choosing the server, making the
     * socket.
     */
    @Test
    void aSessionResetBeforeItConnectsDoesNotConnectAfterwards() throws Exception {
        try (FullBacklog backlog = new FullBacklog()) {
            for (int round = 0; round < 30; round++) {
                Path roundDir = Files.createDirectories(dir.resolve("round" + round));
                List<Socket> clients = new CopyOnWriteArrayList<>();
                TestProxy proxy = TestProxy.start(roundDir, config("127.0.0.1:" + backlog.port())
                        + "proxy_connect_timeout = 60s\n");
                int port = proxy.port("main");
                AtomicBoolean closing = new AtomicBoolean();
                Thread connecting = Thread.ofPlatform().name("connecting").start(() -> connectUntilRefused(port, clients, closing));
                try {
                    Wait.until(() -> proxy.proxy().openSessions() >= 5, Duration.ofSeconds(20),
                            () -> "no session started");
                    closing.set(true);
                    long started = System.nanoTime();
                    proxy.proxy().shutdown(Duration.ZERO);
                    long tookMillis = (System.nanoTime() - started) / 1_000_000;
                    assertEquals(0, proxy.proxy().openSessions(), "round " + round + ": "
                            + proxy.proxy().openSessions() + " sessions left after shutdown returned (" + tookMillis + "ms)");
                    assertTrue(connecting.join(Duration.ofSeconds(20)), "the connecting thread ended");
                } finally {
                    closing.set(true);
                    connecting.join(Duration.ofSeconds(20));
                    for (Socket client : clients) {
                        client.close();
                    }
                    proxy.close();
                }
            }
        }
    }

    /** Connects (and keeps) as many clients as it can until the proxy stops accepting. */
    private static void connectUntilRefused(int port, List<Socket> clients, AtomicBoolean closing) {
        while (true) {
            Socket client = new Socket();
            try {
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
                clients.add(client);
            } catch (IOException refused) {
                Sockets.closeQuietly(client);
                if (closing.get()) {
                    return;
                }
            }
        }
    }

    /** The listener thread of {@code port} has ended (shutdown joins it; before that fix it ran on). */
    private static void awaitListenerGone(int port) throws InterruptedException {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("listen /127.0.0.1:" + port)) {
                assertTrue(thread.join(Duration.ofSeconds(20)), thread.getName() + " still running");
            }
        }
    }
}

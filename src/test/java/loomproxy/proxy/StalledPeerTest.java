package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.DrippingUpstream;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Flood;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.StalledUpstream;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peers that stop: no peer may hold a thread other than its own session's, and none may hold its
 * own session past a deadline (SPEC §7, §9).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StalledPeerTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Stall", 0);
    }

    /**
     * Two blocks, one behind an upstream that handshakes and then never reads, one behind an echo.
     * The stalled session's writer blocks in JSSE holding its write lock; its idle timeout must end
     * it without that blocking anyone else: the other block's idle timeout, due later, still fires,
     * and shutdown with sessions reset is prompt.
     */
    @Test
    void anUpstreamThatStopsReadingFreezesNothingElse() throws Exception {
        try (StalledUpstream stalled = new StalledUpstream(tls.server().serverContext());
             EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + stalled.port(), """
                     proxy_timeout = 1s
                     server.other.listen = 127.0.0.1:0
                     server.other.proxy_pass = %s
                     server.other.proxy_ssl = off
                     server.other.proxy_timeout = 3s
                     """.formatted(echo.address())));
             Socket flooding = proxy.connect("main");
             Socket quiet = proxy.connect("other")) {
            Flood flood = new Flood(flooding);
            Bytes.write(quiet, "hello");
            assertEquals("hello", Bytes.readString(quiet, 5));

            // The quiet session's proxy_timeout (3s) comes after the stalled one's (1s).
            assertEquals(0, Bytes.readToEof(quiet.getInputStream()).length, "idle timeout closes in order");
            proxy.errors().await("timed out after 3000ms of no data (proxy_timeout)", "server: other");
            proxy.errors().await("timed out after 1000ms of no data (proxy_timeout)", "server: main");
            assertNotNull(flood.awaitEnd(Duration.ofSeconds(20)), "the stalled session's client is closed");
            Wait.until(() -> proxy.proxy().openSessions() == 0, Duration.ofSeconds(10),
                    () -> proxy.proxy().openSessions() + " sessions still open");
        }
    }

    /** At shutdown_timeout, sessions blocked on a stalled upstream are reset, not waited for. */
    @Test
    void shutdownResetsSessionsStuckOnAStalledUpstreamOnTime() throws Exception {
        try (StalledUpstream stalled = new StalledUpstream(tls.server().serverContext());
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + stalled.port(), ""));
             Socket flooding = proxy.connect("main")) {
            Flood flood = new Flood(flooding);
            flood.awaitBlocked(Duration.ofMillis(500), Duration.ofSeconds(30));
            long started = System.nanoTime();
            boolean drained = proxy.proxy().shutdown(Duration.ofSeconds(1));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(false, drained, "the stuck session cannot end by itself");
            assertTrue(tookMillis < 1_000 + 5_000, "shutdown took " + tookMillis + "ms with shutdown_timeout 1s");
            assertEquals(0, proxy.proxy().openSessions());
            assertNotNull(flood.awaitEnd(Duration.ofSeconds(20)), "the client's writes fail once it is reset");
            proxy.errors().await("closed at shutdown after shutdown_timeout");
        }
    }

    /**
     * Sessions still handshaking with a silent upstream when shutdown_timeout passes are closed
     * by shutdown, which is not the server's failure: no "handshake failed" blamed on it, one
     * "closed at shutdown" line each.
     */
    @Test
    void shutdownDuringAHandshakeIsNotBlamedOnTheUpstream() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + silent.getLocalPort(),
                     "proxy_connect_timeout = 60s"));
             Socket client = proxy.connect("main");
             Socket held = silent.accept()) {
            Bytes.write(client, "early");
            assertEquals(false, proxy.proxy().shutdown(Duration.ofMillis(300)), "the handshake cannot end by itself");
            assertThrows(java.net.SocketException.class, () -> Bytes.readToEof(client.getInputStream()),
                    "shutdown resets the client at shutdown_timeout");
            proxy.errors().await("closed at shutdown after shutdown_timeout, while connecting to upstream");
            assertEquals(List.of(), proxy.errors().matching("handshake failed"));
            assertEquals(List.of(), proxy.errors().matching("reached after"));
        }
    }

    /**
     * An upstream that sends its handshake one byte at a time, each well inside
     * proxy_connect_timeout: the deadline is for the whole handshake, so the session ends at it.
     */
    @Test
    void aDrippedHandshakeEndsAtTheDeadline() throws Exception {
        try (DrippingUpstream dripping = new DrippingUpstream(Duration.ofMillis(200));
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + dripping.port(),
                     "proxy_connect_timeout = 1s"));
             Socket client = proxy.connect("main")) {
            long started = System.nanoTime();
            assertEquals(0, Bytes.readToEof(client.getInputStream()).length);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMillis < 1_000 + 5_000, "ended after " + tookMillis + "ms");
            proxy.errors().await("handshake failed: handshake_timeout", "server: main");
            proxy.access().await(" 502 ", "\"handshake_timeout\"");
            Wait.until(() -> dripping.ended() == 1, Duration.ofSeconds(10), () -> "the upstream connection is still open");
        }
    }
}

package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.FaultServer;
import loomproxy.testkit.HelloThenSilence;
import loomproxy.testkit.Issued;
import loomproxy.testkit.JsonReader;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.NotTlsUpstream;
import loomproxy.testkit.Ports;
import loomproxy.testkit.PromText;
import loomproxy.testkit.ResetMidTransfer;
import loomproxy.testkit.StalledUpstream;
import loomproxy.testkit.SwitchingRelay;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import loomproxy.upstream.PeerState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active health checks (SPEC §11) against real upstreams on loopback: what each fault is found as,
 * how soon, what the sessions see meanwhile, and what the log, the metrics and /status say. Intervals
 * are short so the tests are quick; bounds on time are an interval plus the probe's own deadline,
 * never a guess at how fast this machine is.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HealthCheckTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;
    static MutualTls stranger;
    static Issued expired;

    @BeforeAll
    static void pki() throws IOException {
        tls = MutualTls.in(Files.createDirectories(pkiDir.resolve("main")), "Health", 0);
        stranger = MutualTls.in(Files.createDirectories(pkiDir.resolve("stranger")), "Stranger", 0);
        expired = tls.issuer().newServer("localhost").dns("localhost").ip("127.0.0.1").expired().issue();
    }

    @Test
    void anExpiredCertificateIsFoundWithinOneIntervalAndNoSessionGoesThereUntilItPassesAgain() throws Exception {
        Duration interval = Duration.ofMillis(300);
        Duration timeout = Duration.ofSeconds(5);
        try (EchoServer good = tls.echo(true);
             EchoServer other = tls.echo(true);
             EchoServer bad = tls.echo(expired, true);
             SwitchingRelay relay = SwitchingRelay.relaying(good.port());
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig(relay.address() + ", " + other.address(),
                     "health_check = interval=" + interval.toMillis() + "ms timeout=5s passes=2\nadmin_listen = 127.0.0.1:0"))) {
            String peer = relay.address();
            Wait.until(() -> checks(proxy, peer, "ok") >= 1 && checks(proxy, other.address(), "ok") >= 1, WAIT,
                    () -> "no good probe yet: " + proxy.proxy().metrics().scrape());

            relay.switchTo(bad.port());
            long switched = System.nanoTime();
            String line = proxy.errors().await("upstream " + peer + " is unhealthy: verification failed: expired");
            Duration found = Duration.ofNanos(System.nanoTime() - switched);
            assertTrue(line.endsWith(", server: main"), line);
            assertTrue(found.compareTo(interval.plus(timeout)) <= 0, "found after " + found.toMillis() + "ms");
            PromText m = scrape(proxy);
            assertEquals(0, m.value("loomproxy_upstream_peer_up", "upstream", "backend", "peer", peer));
            assertEquals(1, m.value("loomproxy_upstream_peer_up", "upstream", "backend", "peer", other.address()));
            assertTrue(m.value("loomproxy_health_checks_total", "server", "main", "upstream", "backend", "peer", peer,
                    "result", "expired") >= 1);
            Map<?, ?> health = peerStatus(proxy, peer);
            assertEquals("unhealthy", health.get("state"));
            Map<?, ?> byMain = (Map<?, ?>) ((Map<?, ?>) health.get("health")).get("main");
            assertEquals("unhealthy", byMain.get("status"));
            assertEquals("expired", byMain.get("result"));

            int before = proxy.access().lines().size();
            for (int i = 0; i < 6; i++) {
                echo(proxy, "session " + i);
            }
            Wait.until(() -> proxy.access().lines().size() >= before + 6, WAIT, () -> "access lines " + proxy.access().lines());
            List<String> sessions = proxy.access().lines().subList(before, before + 6);
            assertTrue(sessions.stream().allMatch(l -> l.contains(" 200 ") && l.contains("\"" + other.address() + "\"")),
                    "every session went to the healthy server alone: " + sessions);
            assertEquals(0, state(proxy, peer).fails(), "probes are no max_fails failures");

            long oksBefore = (long) checks(proxy, peer, "ok");
            relay.switchTo(good.port());
            proxy.errors().await("upstream " + peer + " is healthy again, server: main");
            assertTrue(checks(proxy, peer, "ok") - oksBefore >= 2, "passes=2: two good probes first");
            assertEquals(1, proxy.errors().matching("upstream " + peer + " is unhealthy").size(), "logged once");
            int after = proxy.access().lines().size();
            for (int i = 0; i < 4; i++) {
                echo(proxy, "back " + i);
            }
            Wait.until(() -> proxy.access().lines().size() >= after + 4, WAIT, () -> "access lines " + proxy.access().lines());
            assertTrue(proxy.access().lines().subList(after, after + 4).stream().anyMatch(l -> l.contains("\"" + peer + "\"")),
                    "sessions reach it again: " + proxy.access().lines());
        }
    }

    @Test
    void whenEveryServerIsUnhealthyASessionGets502AtOnce() throws Exception {
        try (EchoServer bad = tls.echo(expired, true);
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig(bad.address(), "health_check = interval=200ms"))) {
            proxy.errors().await("upstream " + bad.address() + " is unhealthy: verification failed: expired");
            int handshakes = bad.accepted();
            try (Socket c = proxy.connect("main")) {
                assertEquals(-1, c.getInputStream().read(), "closed at once");
            }
            proxy.access().await(" 502 ", "\"backend\" \"-\"", "\"-\""); // $upstream_addr is the group's name, as NGINX's
            proxy.errors().await("no live upstreams in \"backend\"");
            assertTrue(bad.accepted() - handshakes <= 2, "no session connected (only probes may have)");
        }
    }

    @Test
    void aTls13ServerRefusingTheClientCertificateAfterTheHandshakeIsFound() throws Exception {
        try (EchoServer refusing = EchoServer.tls(tls.server().serverContext(stranger.root().certificate()), s -> {
                 s.setNeedClientAuth(true);
                 s.setEnabledProtocols(new String[] {"TLSv1.3"});
                 return s;
             });
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig(refusing.address(), "health_check = interval=200ms"))) {
            String line = proxy.errors().await("upstream " + refusing.address() + " is unhealthy: handshake failed: client_cert_rejected");
            assertTrue(line.contains("server: main"), line);
        }
    }

    /** A hostile server that answers a ClientHello with noise: the probe calls it not TLS, and lets go. */
    @Test
    void aServerThatSendsGarbageIsNotTls() throws Exception {
        try (NotTlsUpstream garbage = new NotTlsUpstream(NotTlsUpstream.noise(4096, 11));
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("127.0.0.1:" + garbage.port(), "health_check = interval=200ms"))) {
            proxy.errors().await("upstream 127.0.0.1:" + garbage.port() + " is unhealthy: ", "not_tls");
            Wait.until(() -> garbage.ended() >= 1, WAIT, () -> "the probe still holds the garbage server's connection");
        }
    }

    /**
     * A hostile server that floods its reply and never says what expect wants: the probe keeps at
     * most {@link Probe#MAX_REPLY} bytes, fails with expect (not timeout: it does not wait for
     * the deadline), and closes each connection, so the flood can hold neither memory nor the probe.
     */
    @Test
    void aReplyThatFloodsWithoutMatchingFailsExpectAfterABoundedRead() throws Exception {
        AtomicInteger ended = new AtomicInteger();
        byte[] noise = new byte[64 * 1024];
        java.util.Arrays.fill(noise, (byte) 'x');
        try (FaultServer flooding = new FaultServer("flooding upstream", FaultServer.loopback(), socket -> {
                 try (socket) {
                     while (true) {
                         socket.getOutputStream().write(noise); // until the probe closes: then a write fails
                     }
                 } finally {
                     ended.incrementAndGet();
                 }
             });
             TestProxy proxy = TestProxy.start(dir, """
                     upstream.plain = 127.0.0.1:%d
                     server.good.listen = 127.0.0.1:0
                     server.good.proxy_pass = plain
                     server.good.health_check = interval=200ms timeout=30s send="PING\\r\\n" expect=PONG
                     """.formatted(flooding.port()))) {
            String line = proxy.errors().await("upstream 127.0.0.1:" + flooding.port() + " is unhealthy: expect:");
            assertTrue(line.length() < 2 * 1024, "the log line quotes a bounded part of the reply: " + line.length());
            Wait.until(() -> ended.get() >= 1, WAIT, () -> "the probe still reads the flood");
        }
    }

    @Test
    void sendAndExpectWithTheFilesEscapesAndARegex() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, """
                     upstream.plain = %s
                     server.good.listen = 127.0.0.1:0
                     server.good.proxy_pass = plain
                     server.good.health_check = interval=100ms send="HELLO 42\\r\\n" expect="~^HEL+O \\\\d+\\r"
                     """.formatted(echo.address()))) {
            Wait.until(() -> checks(proxy, "good", echo.address(), "ok") >= 3, WAIT, () -> proxy.errors().lines().toString());
            assertEquals(List.of(), proxy.errors().matching("unhealthy"));
        }
    }

    /**
     * A TLS server that replies and then closes TCP without close_notify is judged by its reply: a
     * session must not pass such a stream on as whole, but a probe's verdict is about what came
     * (a matching reply is healthy; another is "expect", not a connection error).
     */
    @Test
    void aReplyEndedWithoutCloseNotifyIsJudgedByWhatCame() throws Exception {
        try (ResetMidTransfer replies = ResetMidTransfer.finWithoutCloseNotify(tls.server().serverContext(),
                "HELLO there".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + replies.port(), """
                     server.good.listen = 127.0.0.1:0
                     server.good.proxy_pass = backend
                     server.good.health_check = interval=100ms send="x" expect="HELLO"
                     server.other.listen = 127.0.0.1:0
                     server.other.proxy_pass = backend
                     server.other.health_check = interval=100ms send="x" expect="BYE"
                     """))) {
            String peer = "127.0.0.1:" + replies.port();
            Wait.until(() -> checks(proxy, "good", peer, "ok") >= 2 && checks(proxy, "other", peer, "expect") >= 2, WAIT,
                    () -> proxy.proxy().metrics().scrape());
            assertEquals(0.0, checks(proxy, "other", peer, "connect_error"));
            assertEquals(0.0, checks(proxy, "good", peer, "connect_error"));
        }
    }

    /**
     * Two blocks checking one group keep their own verdicts, and the server is chosen only while
     * both say it is healthy; removing the block that says no (a reload) forgets its verdict.
     */
    @Test
    void aServerIsHealthyOnlyWhileEveryCheckSaysSoAndARemovedBlocksVerdictGoes() throws Exception {
        String twoBlocks = """
                upstream.plain = %s
                admin_listen = 127.0.0.1:0
                server.a.listen = 127.0.0.1:0
                server.a.proxy_pass = plain
                server.a.health_check = interval=100ms send=PING expect=PING
                server.b.listen = 127.0.0.1:0
                server.b.proxy_pass = plain
                server.b.health_check = interval=100ms timeout=300ms fails=2 send=PING expect=PONG
                """;
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, twoBlocks.formatted(echo.address()))) {
            String line = proxy.errors().await("upstream " + echo.address() + " is unhealthy: expect: reply does not match expect=PONG: \"PING\"");
            assertTrue(line.endsWith("server: b"), line);
            assertTrue(checks(proxy, "b", echo.address(), "expect") >= 2, "fails=2");
            Map<?, ?> health = (Map<?, ?>) peerStatus(proxy, echo.address()).get("health");
            assertEquals("healthy", ((Map<?, ?>) health.get("a")).get("status"));
            assertEquals("unhealthy", ((Map<?, ?>) health.get("b")).get("status"));
            try (Socket c = proxy.connect("a")) {
                assertEquals(-1, c.getInputStream().read(), "unhealthy for b is unhealthy for every block");
            }
            proxy.errors().await("no live upstreams");

            proxy.reload("""
                    upstream.plain = %s
                    server.a.listen = 127.0.0.1:0
                    server.a.proxy_pass = plain
                    server.a.health_check = interval=100ms send=PING expect=PING
                    """.formatted(echo.address()));
            assertTrue(state(proxy, echo.address()).healthy(), "b's verdict went with b");
            echo(proxy, "a", "after reload");
            assertEquals(Map.of("a", true), proxy.proxy().healthVerdicts().entrySet().stream().collect(
                    java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().values().iterator().next())));
        }
    }

    /** SPEC §7: servers that stay keep their health state across a reload, also when their group and block change. */
    @Test
    void aReloadKeepsTheVerdictOfServersThatStay() throws Exception {
        int refused = Ports.closed();
        try (EchoServer good = EchoServer.plain(); EchoServer third = EchoServer.plain()) {
            String config = """
                    upstream.backend = 127.0.0.1:%d, %s%s
                    server.main.listen = 127.0.0.1:0
                    server.main.proxy_pass = backend
                    server.main.health_check = %s
                    """;
            try (TestProxy proxy = TestProxy.start(dir, config.formatted(refused, good.address(), "", "interval=100ms"))) {
                String peer = "127.0.0.1:" + refused;
                proxy.errors().await("upstream " + peer + " is unhealthy: connect failed: connect_refused: ");
                // A new interval (the check restarts), a third server (the group is rebuilt): still unhealthy at once.
                proxy.reload(config.formatted(refused, good.address(), ", " + third.address(), "interval=1h"));
                assertFalse(state(proxy, peer).healthy(), "the verdict stayed with the server");
                for (int i = 0; i < 4; i++) {
                    echo(proxy, "main", "kept " + i);
                }
                assertTrue(proxy.access().lines().stream().noneMatch(l -> l.contains("\"" + peer)), proxy.access().lines().toString());
                // health_check off: nothing says it is unhealthy any more.
                proxy.reload(config.formatted(refused, good.address(), "", "off"));
                assertTrue(state(proxy, peer).healthy(), "no check, no verdict");
                assertEquals(1, proxy.errors().matching("is unhealthy").size(), proxy.errors().lines().toString());
            }
        }
    }

    @Test
    void probesAreNeitherMaxFailsFailuresNorSessions() throws Exception {
        int refused = Ports.closed();
        try (EchoServer good = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, """
                     upstream.backend = 127.0.0.1:%d max_fails=1, %s
                     server.main.listen = 127.0.0.1:0
                     server.main.proxy_pass = backend
                     health_check = interval=50ms
                     """.formatted(refused, good.address()))) {
            String peer = "127.0.0.1:" + refused;
            Wait.until(() -> checks(proxy, peer, "connect_refused") >= 3, WAIT, () -> proxy.proxy().metrics().scrape());
            assertEquals(0, state(proxy, peer).fails());
            assertEquals(List.of(), proxy.access().lines());
            PromText m = scrape(proxy);
            assertEquals(List.of(), m.samples("loomproxy_upstream_failures_total"));
            assertEquals(0, m.value("loomproxy_upstream_connect_seconds_count", "upstream", "backend", "peer", peer));
            assertTrue(checks(proxy, good.address(), "ok") >= 1);
        }
    }

    /**
     * A handshake that stalls after the ServerHello and a reply that never comes each end at the
     * probe's deadline, and a probe that takes longer than the interval delays the next one: never
     * two probes of one server at once, so in any stretch of time at most one more probe than
     * timeouts fit in it.
     */
    @Test
    void stalledHandshakesAndRepliesEndAtTheDeadlineOneProbeAtATime() throws Exception {
        Duration timeout = Duration.ofMillis(400);
        try (EchoServer good = tls.echo(false);
             HelloThenSilence silent = new HelloThenSilence(good.port());
             StalledUpstream stalled = new StalledUpstream(tls.server().serverContext())) {
            long started = System.nanoTime();
            try (TestProxy handshakes = TestProxy.start(Files.createDirectories(dir.resolve("h")),
                         tls.proxyConfig("127.0.0.1:" + silent.port(), "health_check = interval=50ms timeout=400ms"));
                 TestProxy replies = TestProxy.start(Files.createDirectories(dir.resolve("r")),
                         tls.proxyConfig("127.0.0.1:" + stalled.port(), "health_check = interval=50ms timeout=400ms send=PING expect=PONG"))) {
                handshakes.errors().await("upstream 127.0.0.1:" + silent.port()
                        + " is unhealthy: handshake failed: handshake_timeout: no TLS handshake within 400ms");
                replies.errors().await("upstream 127.0.0.1:" + stalled.port()
                        + " is unhealthy: timeout: no reply matching expect=PONG within 400ms (health_check timeout)");
                Wait.until(() -> silent.hellos() >= 3, WAIT, () -> "hellos " + silent.hellos());
                int hellos = silent.hellos();
                long elapsed = System.nanoTime() - started;
                // k probes begun means k - 1 ended, each after the whole timeout: (k - 1) * timeout <= elapsed.
                assertTrue(hellos <= elapsed / timeout.toNanos() + 1, hellos + " probes in " + elapsed / 1_000_000 + "ms");
                assertTrue(checks(replies, "127.0.0.1:" + stalled.port(), "timeout") >= 1);
            }
        }
    }

    /**
     * Probes never hold a reload or the shutdown (SPEC §7, STYLE 13), even while one is stuck in a
     * handshake that would last its whole 30 s timeout: each reload that changes the check stops the
     * old probes at once (their socket is reset under them) and starts new ones, and after the
     * shutdown no health check thread and no resolver thread is left, nor a descriptor.
     */
    @Test
    void reloadsAndShutdownStopEveryCheckAndResolverEvenWithAProbeStuckInAHandshake() throws Exception {
        try (EchoServer good = tls.echo(true);
             HelloThenSilence stuck = new HelloThenSilence(good.port())) {
            String servers = "localhost:" + good.port() + " resolve, 127.0.0.1:" + stuck.port();
            TestProxy.start(Files.createDirectories(dir.resolve("warm-up")), tls.proxyConfig(servers, "")).close();
            LeakTest.Resources baseline = LeakTest.Resources.now(dir);
            TestProxy proxy = TestProxy.start(dir, tls.proxyConfig(servers, "resolver_valid = 1s\n"
                    + "health_check = interval=100ms timeout=30s"));
            long closed;
            try {
                Wait.until(() -> stuck.hellos() >= 1, WAIT, () -> "no probe reached the stalled handshake");
                for (int i = 1; i <= 3; i++) {
                    int hellos = stuck.hellos();
                    long reloading = System.nanoTime();
                    proxy.reload(tls.proxyConfig(servers, "resolver_valid = 1s\nhealth_check = interval=" + (100 + i)
                            + "ms timeout=30s"));
                    assertTrue(System.nanoTime() - reloading < Duration.ofSeconds(10).toNanos(), "a reload waited on a probe");
                    Wait.until(() -> stuck.hellos() > hellos, WAIT, () -> "the new check does not probe");
                }
                assertEquals(2, proxy.proxy().healthVerdicts().get("main").size(), "one check per server, none left over");
            } finally {
                long closing = System.nanoTime();
                proxy.close();
                closed = System.nanoTime() - closing;
            }
            assertTrue(closed < Duration.ofSeconds(10).toNanos(), "the shutdown waited on a probe: " + closed / 1_000_000 + "ms");
            // The fixtures live in this JVM and hold their ends of the probes' connections: they go
            // first, so what is compared with the baseline is the proxy's.
            stuck.close();
            good.close();
            LeakTest.Resources[] after = new LeakTest.Resources[1];
            Wait.until(() -> (after[0] = LeakTest.Resources.now(dir)).within(baseline), WAIT,
                    () -> "left behind: " + after[0].difference(baseline));
        }
    }

    private static void echo(TestProxy proxy, String text) throws IOException {
        echo(proxy, "main", text);
    }

    private static void echo(TestProxy proxy, String server, String text) throws IOException {
        try (Socket c = proxy.connect(server)) {
            Bytes.write(c, text);
            assertEquals(text, Bytes.readString(c, text.length()));
        }
    }

    private static PromText scrape(TestProxy proxy) {
        return PromText.parse(proxy.proxy().metrics().scrape());
    }

    private static double checks(TestProxy proxy, String peer, String result) {
        return checks(proxy, "main", peer, result);
    }

    private static double checks(TestProxy proxy, String server, String peer, String result) {
        return scrape(proxy).find("loomproxy_health_checks_total", PromText.labels("server", server, "upstream",
                proxy.proxy().blocks().stream().filter(b -> b.name().equals(server)).findFirst().orElseThrow().group().name(),
                "peer", peer, "result", result)).orElse(0.0);
    }

    private static PeerState state(TestProxy proxy, String peer) {
        return proxy.proxy().blocks().get(0).group().states().stream().filter(s -> s.peer().toString().equals(peer))
                .findFirst().orElseThrow();
    }

    private static Map<?, ?> peerStatus(TestProxy proxy, String peer) throws IOException {
        Map<?, ?> status = (Map<?, ?>) JsonReader.parse(proxy.adminGet("/status").body());
        for (Object u : (List<?>) status.get("upstreams")) {
            for (Object p : (List<?>) ((Map<?, ?>) u).get("peers")) {
                if (peer.equals(((Map<?, ?>) p).get("address"))) {
                    return (Map<?, ?>) p;
                }
            }
        }
        throw new AssertionError("no peer " + peer + " in " + status);
    }
}

package loomproxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import loomproxy.testkit.AdminClient;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.Ca;
import loomproxy.testkit.Crl;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Issued;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.Ports;
import loomproxy.testkit.PromText;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /metrics after sessions of every kind, through a real proxy on loopback: good ones (a full
 * then a resumed handshake), a failover past a refused server, a 502 for a refused server, a 502
 * for a server that fails verification, and one ended by proxy_timeout. Each family of SPEC §10 is
 * checked sample by sample; the whole text is read strictly ({@link PromText}) and, where
 * Debian's {@code prometheus} package is installed, by {@code promtool check metrics}.
 */
class MetricsEndpointTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;
    static Issued stranger;
    static Path crls;
    static Crl rootCrl;
    static Crl intermediateCrl;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Metrics", 1);
        Ca other = tls.pki().root("Stranger Root");
        stranger = other.server("localhost");
        rootCrl = tls.root().crl();
        intermediateCrl = tls.issuer().crl();
        crls = tls.pki().crlBundle("crls.pem", rootCrl, intermediateCrl);
    }

    /** What one run of {@link #scrapeAfterEveryKindOfSession} saw: the exposition and the upstream servers. */
    private record Scraped(String body, String good, String dead, String bad, double started) {}

    @Test
    void everyFamilyAfterGoodFailedAndIdleSessions() throws Exception {
        Scraped s = scrapeAfterEveryKindOfSession();
        PromText m = PromText.parse(s.body());
        assertFamilies(m);
        assertSessions(m);
        assertUpstreams(m, s.good(), s.dead(), s.bad());
        assertCertificates(m);
        assertReloadsBuildAndProcess(m, s.started());
    }

    /** {@code promtool check metrics}: Prometheus' own parser and linter, where Debian's prometheus package is installed. */
    @Test
    void promtoolFindsNothingToSay() throws Exception {
        Assumptions.assumeTrue(onPath("promtool"), "promtool is not installed (Debian: apt-get install prometheus);"
                + " the exposition is still checked by PromText in everyFamilyAfterGoodFailedAndIdleSessions");
        String exposition = scrapeAfterEveryKindOfSession().body();
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + output);
        assertEquals("", output.strip(), "promtool's lint findings");
    }

    private Scraped scrapeAfterEveryKindOfSession() throws Exception {
        int closed = Ports.closed();
        String dead = "127.0.0.1:" + closed;
        try (EchoServer echo = tls.echo(true, "TLSv1.3");
             EchoServer untrusted = tls.echo(stranger, false)) {
            // Written as a name, labelled as the address it resolved to (SPEC §10, §11).
            String good = "127.0.0.1:" + echo.port();
            String bad = "127.0.0.1:" + untrusted.port();
            String config = """
                    admin_listen = 127.0.0.1:0
                    upstream.backend = %1$s, %2$s down
                    upstream.flaky = %2$s fail_timeout=10m, %1$s
                    upstream.other = %3$s
                    proxy_ssl = on
                    proxy_ssl_trusted_certificate = %4$s
                    proxy_ssl_certificate = %5$s
                    proxy_ssl_certificate_key = %6$s
                    proxy_connect_timeout = 10s
                    server.main.listen = 127.0.0.1:0
                    server.main.proxy_pass = backend
                    server.main.proxy_ssl_crl = %7$s
                    server.flaky.listen = 127.0.0.1:0
                    server.flaky.proxy_pass = flaky
                    server.dead.listen = 127.0.0.1:0
                    server.dead.proxy_pass = %2$s
                    server.untrusted.listen = 127.0.0.1:0
                    server.untrusted.proxy_pass = other
                    server.idle.listen = 127.0.0.1:0
                    server.idle.proxy_pass = backend
                    server.idle.proxy_timeout = 300ms
                    """.formatted(good, dead, bad, tls.trusted(), tls.client().chainPem(), tls.client().keyPem(), crls);
            try (TestProxy proxy = TestProxy.start(dir, config)) {
                echoOnce(proxy, "main", "hello");
                echoOnce(proxy, "main", "again");
                echoOnce(proxy, "flaky", "fails");
                refused(proxy, "dead");
                refused(proxy, "untrusted");
                try (Socket idle = proxy.connect("idle")) {
                    assertEquals(-1, idle.getInputStream().read(), "proxy_timeout ends the idle session");
                }
                Wait.until(() -> proxy.proxy().openSessions() == 0, Duration.ofSeconds(20),
                        () -> proxy.proxy().openSessions() + " sessions still open");
                AdminClient.Response response = proxy.adminGet("/metrics");
                assertEquals(200, response.status());
                assertEquals("text/plain; version=0.0.4; charset=utf-8", response.header("Content-Type"));
                return new Scraped(response.body(), good, dead, bad,
                        proxy.proxy().metrics().started().toEpochMilli() / 1000.0);
            }
        }
    }

    private static void echoOnce(TestProxy proxy, String server, String text) throws IOException {
        try (Socket c = proxy.connect(server)) {
            Bytes.write(c, text);
            assertEquals(text, Bytes.readString(c, text.length()));
        }
    }

    private static void refused(TestProxy proxy, String server) throws IOException {
        try (Socket c = proxy.connect(server)) {
            assertEquals(-1, c.getInputStream().read());
        }
    }

    /** Every family of SPEC §10's table, with its type, whether or not it has samples yet. */
    private static void assertFamilies(PromText m) {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("loomproxy_connections_accepted_total", "counter"),
                Map.entry("loomproxy_sessions_active", "gauge"),
                Map.entry("loomproxy_sessions_total", "counter"),
                Map.entry("loomproxy_client_bytes_received_total", "counter"),
                Map.entry("loomproxy_client_bytes_sent_total", "counter"),
                Map.entry("loomproxy_upstream_connect_seconds", "histogram"),
                Map.entry("loomproxy_upstream_handshake_seconds", "histogram"),
                Map.entry("loomproxy_upstream_handshakes_total", "counter"),
                Map.entry("loomproxy_upstream_failures_total", "counter"),
                Map.entry("loomproxy_upstream_peer_up", "gauge"),
                Map.entry("loomproxy_upstream_peer_sessions_active", "gauge"),
                Map.entry("loomproxy_health_checks_total", "counter"),
                Map.entry("loomproxy_certificate_expiry_timestamp_seconds", "gauge"),
                Map.entry("loomproxy_crl_next_update_timestamp_seconds", "gauge"),
                Map.entry("loomproxy_config_reloads_total", "counter"),
                Map.entry("loomproxy_config_last_reload_successful", "gauge"),
                Map.entry("loomproxy_config_last_reload_success_timestamp_seconds", "gauge"),
                Map.entry("loomproxy_build_info", "gauge"),
                Map.entry("process_cpu_seconds_total", "counter"),
                Map.entry("process_resident_memory_bytes", "gauge"),
                Map.entry("process_open_fds", "gauge"),
                Map.entry("process_max_fds", "gauge"),
                Map.entry("process_start_time_seconds", "gauge"),
                Map.entry("jvm_threads_current", "gauge"),
                Map.entry("jvm_memory_used_bytes", "gauge"));
        assertEquals(expected, m.types());
        m.help().forEach((family, text) -> assertTrue(!text.isBlank(), family + " has an empty HELP"));
        assertEquals(List.of(), m.samples("loomproxy_health_checks_total"), "no health checks in this version");
        assertEquals(List.of(), m.samples("loomproxy_config_reloads_total"), "no reload has happened");
    }

    private static void assertSessions(PromText m) {
        Map<String, long[]> byServer = Map.of( // accepted, 200, 502, bytes each way
                "main", new long[] {2, 2, 0, 10},
                "flaky", new long[] {1, 1, 0, 5},
                "dead", new long[] {1, 0, 1, 0},
                "untrusted", new long[] {1, 0, 1, 0},
                "idle", new long[] {1, 1, 0, 0});
        byServer.forEach((server, v) -> {
            assertEquals(v[0], m.value("loomproxy_connections_accepted_total", "server", server), server);
            assertEquals(0, m.value("loomproxy_sessions_active", "server", server), server);
            assertEquals(v[1], m.value("loomproxy_sessions_total", "server", server, "status", "200"), server);
            assertEquals(v[2], m.value("loomproxy_sessions_total", "server", server, "status", "502"), server);
            for (String status : List.of("403", "500", "503")) {
                assertEquals(0, m.value("loomproxy_sessions_total", "server", server, "status", status), server);
            }
            assertEquals(v[3], m.value("loomproxy_client_bytes_received_total", "server", server), server);
            assertEquals(v[3], m.value("loomproxy_client_bytes_sent_total", "server", server), server);
        });
        assertEquals(5, m.samples("loomproxy_connections_accepted_total").size());
        assertEquals(25, m.samples("loomproxy_sessions_total").size());
    }

    private static void assertUpstreams(PromText m, String good, String dead, String bad) {
        String connect = "loomproxy_upstream_connect_seconds_count";
        assertEquals(Map.of(
                        "backend " + good, 3.0, "backend " + dead, 0.0, "flaky " + dead, 0.0, "flaky " + good, 1.0,
                        "other " + bad, 1.0, dead + " " + dead, 0.0),
                bySeries(m, connect, "upstream", "peer"), "successful connects per upstream server");
        String handshake = "loomproxy_upstream_handshake_seconds_count";
        assertEquals(2, m.value(handshake, "upstream", "backend", "peer", good, "resumed", "false"));
        assertEquals(1, m.value(handshake, "upstream", "backend", "peer", good, "resumed", "true"));
        assertEquals(1, m.value(handshake, "upstream", "flaky", "peer", good, "resumed", "false"));
        assertEquals(0, m.value(handshake, "upstream", "other", "peer", bad, "resumed", "false"),
                "a failed handshake is a failure, not a time");
        assertTrue(m.value("loomproxy_upstream_handshake_seconds_sum", "upstream", "backend", "peer", good,
                "resumed", "false") > 0);

        assertEquals(Map.of(
                        "main backend " + good + " TLSv1.3 false", 1.0,
                        "main backend " + good + " TLSv1.3 true", 1.0,
                        "flaky flaky " + good + " TLSv1.3 false", 1.0,
                        "idle backend " + good + " TLSv1.3 false", 1.0),
                bySeries(m, "loomproxy_upstream_handshakes_total", "server", "upstream", "peer", "protocol", "resumed"),
                "each block has its own session cache: only main's second session resumed");
        assertEquals(Map.of(
                        "flaky flaky " + dead + " connect_refused", 1.0,
                        "dead " + dead + " " + dead + " connect_refused", 1.0,
                        "untrusted other " + bad + " untrusted", 1.0),
                bySeries(m, "loomproxy_upstream_failures_total", "server", "upstream", "peer", "reason"));

        assertEquals(Map.of(
                        "backend " + good, 1.0, "backend " + dead, 0.0, "flaky " + dead, 0.0, "flaky " + good, 1.0,
                        "other " + bad, 1.0, dead + " " + dead, 1.0),
                bySeries(m, "loomproxy_upstream_peer_up", "upstream", "peer"),
                "down and failed servers may not be chosen; a one-server group is never marked failed");
        assertTrue(m.samples("loomproxy_upstream_peer_sessions_active").stream().allMatch(s -> s.value() == 0));
        assertEquals(6, m.samples("loomproxy_upstream_peer_sessions_active").size());
    }

    private static void assertCertificates(PromText m) {
        String expiry = "loomproxy_certificate_expiry_timestamp_seconds";
        Map<String, Double> main = m.samples(expiry).stream().filter(s -> s.labels().get("server").equals("main"))
                .collect(Collectors.toMap(s -> s.labels().get("role") + " " + s.labels().get("subject"),
                        PromText.Sample::value));
        assertEquals(Map.of(
                        "client CN=Metrics client", seconds(tls.client()),
                        "client CN=Metrics Int", seconds(tls.issuer().cert()),
                        "trusted CN=Metrics Root", seconds(tls.root().cert()),
                        "upstream CN=localhost", seconds(tls.server())),
                main);
        assertEquals(3, m.samples(expiry).stream().filter(s -> s.labels().get("server").equals("untrusted")).count(),
                "no upstream certificate without a successful full handshake");
        String crl = "loomproxy_crl_next_update_timestamp_seconds";
        assertEquals(Map.of(
                        "main CN=Metrics Root", seconds(rootCrl), "main CN=Metrics Int", seconds(intermediateCrl)),
                bySeries(m, crl, "server", "issuer"));
    }

    private static double seconds(Issued certificate) {
        return certificate.cert().getNotAfter().getTime() / 1000.0;
    }

    private static double seconds(Crl crl) {
        return crl.crl().getNextUpdate().getTime() / 1000.0;
    }

    private static void assertReloadsBuildAndProcess(PromText m, double started) {
        assertEquals(1, m.value("loomproxy_config_last_reload_successful"));
        assertEquals(started,
                m.value("loomproxy_config_last_reload_success_timestamp_seconds"));
        assertEquals(1, m.value("loomproxy_build_info", "version", "dev", "java_version", Runtime.version().toString()));
        for (String name : List.of("process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                "process_max_fds", "process_start_time_seconds", "jvm_threads_current")) {
            assertTrue(m.value(name) > 0, name);
        }
        assertTrue(m.value("jvm_memory_used_bytes", "area", "heap") > 0);
        assertTrue(m.value("jvm_memory_used_bytes", "area", "nonheap") > 0);
    }

    /** The series of one sample name as "label1 label2 ..." → value. */
    private static Map<String, Double> bySeries(PromText m, String name, String... labels) {
        return m.samples(name).stream().collect(Collectors.toMap(
                s -> java.util.Arrays.stream(labels).map(l -> s.labels().get(l)).collect(Collectors.joining(" ")),
                PromText.Sample::value));
    }

    static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(d -> java.nio.file.Files.isExecutable(Path.of(d, command)));
    }
}

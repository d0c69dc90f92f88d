package loomproxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import loomproxy.config.HostPort;
import loomproxy.config.Location;
import loomproxy.config.UpstreamGroupConfig;
import loomproxy.config.UpstreamServer;
import loomproxy.testkit.Issued;
import loomproxy.testkit.PromText;
import loomproxy.testkit.TestPki;
import loomproxy.tls.TlsMaterial;
import loomproxy.upstream.Peer;
import loomproxy.upstream.UpstreamGroup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-registration as a reload will do it (SPEC §7, §10): blocks and servers that stay keep their
 * counters, even when the group is rebuilt with new Peer objects; series of removed servers,
 * removed blocks and certificates no longer in use disappear, from /metrics and from JMX alike.
 */
class RegistryTest {
    @TempDir
    static Path pkiDir;
    static Issued firstClient;
    static Issued secondClient;

    @BeforeAll
    static void pki() {
        var root = TestPki.in(pkiDir).root("Registry Root");
        firstClient = root.client("first client");
        secondClient = root.client("second client");
    }

    private static UpstreamGroup group(String name, String... servers) {
        List<UpstreamServer> list = java.util.Arrays.stream(servers)
                .map(s -> new UpstreamServer(new HostPort(s, 443), 1, 1, Duration.ofSeconds(10), 0, false, false))
                .toList();
        return new UpstreamGroup(new UpstreamGroupConfig(name, list, new Location(Path.of("t.conf"), 1)),
                InstantSource.system());
    }

    private static Peer peer(UpstreamGroup group, String host) {
        return group.conns().keySet().stream().filter(p -> p.address().host().equals(host)).findFirst().orElseThrow();
    }

    private static Optional<TlsMaterial> client(Issued client) {
        return Optional.of(new TlsMaterial(List.of(client.cert()), List.of(), List.of()));
    }

    @Test
    void aReloadKeepsWhatStaysAndDropsWhatWent() throws Exception {
        Metrics metrics = new Metrics(Path.of("/etc/loomproxy/loomproxy.properties"), InstantSource.system());
        UpstreamGroup before = group("backend", "a", "b");
        ServerMetrics main = metrics.register("main", before, client(firstClient));
        metrics.register("other", group("spare", "c"), Optional.empty());
        List<ObjectName> names = metrics.startJmx();
        try {
            main.accepted();
            main.ended(200, 3, 4);
            main.route(peer(before, "a")).connected(1_000_000);
            main.route(peer(before, "a")).handshake("TLSv1.3", false, 2_000_000, null);
            main.route(peer(before, "b")).failed("connect_refused");
            assertEquals(5, names.size(), "two blocks and three servers: " + names);

            UpstreamGroup after = group("backend", "a", "d");
            assertSame(main, metrics.register("main", after, client(secondClient)), "the same counters by name");
            metrics.retain(List.of("main"));
            main.route(peer(after, "a")).handshake("TLSv1.3", true, 1_000_000, null);

            PromText m = PromText.parse(metrics.scrape());
            assertEquals(1, m.value("loomproxy_connections_accepted_total", "server", "main"));
            assertEquals(List.of(), m.samples("loomproxy_connections_accepted_total").stream()
                    .filter(s -> s.labels().get("server").equals("other")).toList());
            assertEquals(List.of("backend a:443", "backend d:443"), series(m, "loomproxy_upstream_peer_up"));
            assertEquals(List.of("backend a:443", "backend d:443"), series(m, "loomproxy_upstream_connect_seconds_count"));
            assertEquals(1, m.value("loomproxy_upstream_connect_seconds_count", "upstream", "backend", "peer", "a:443"),
                    "a's histogram carried over to the rebuilt group's a");
            assertEquals(1, m.value("loomproxy_upstream_handshakes_total", "server", "main", "upstream", "backend",
                    "peer", "a:443", "protocol", "TLSv1.3", "resumed", "false"));
            assertEquals(1, m.value("loomproxy_upstream_handshakes_total", "server", "main", "upstream", "backend",
                    "peer", "a:443", "protocol", "TLSv1.3", "resumed", "true"));
            assertEquals(List.of(), m.samples("loomproxy_upstream_failures_total"), "b went, and its failures with it");
            assertEquals(List.of("main client CN=second client"), m.samples("loomproxy_certificate_expiry_timestamp_seconds")
                    .stream().map(s -> s.labels().get("server") + " " + s.labels().get("role") + " "
                            + s.labels().get("subject")).toList());

            List<ObjectName> now = metrics.startJmx();
            assertEquals(List.of("Server main", "Peer backend \"a:443\"", "Peer backend \"d:443\""), now.stream()
                    .map(n -> n.getKeyProperty("type") + (n.getKeyProperty("upstream") == null ? "" : " "
                            + n.getKeyProperty("upstream")) + " " + n.getKeyProperty("name")).toList());
            assertTrue(now.stream().allMatch(ManagementFactory.getPlatformMBeanServer()::isRegistered));
            assertTrue(names.stream().filter(n -> n.getKeyProperty("name").equals("\"b:443\""))
                    .noneMatch(ManagementFactory.getPlatformMBeanServer()::isRegistered), "b's MBean is gone");
        } finally {
            metrics.stopJmx();
        }
        assertTrue(names.stream().noneMatch(ManagementFactory.getPlatformMBeanServer()::isRegistered));
    }

    /** The registry's own clock gives the reload state; until a reload it is the start. */
    @Test
    void reloadsAppearOnceTheyHappen() {
        Instant start = Instant.parse("2026-12-01T10:00:00Z");
        Metrics metrics = new Metrics(Path.of("x.properties"), InstantSource.fixed(start));
        PromText m = PromText.parse(metrics.scrape());
        assertEquals(List.of(), m.samples("loomproxy_config_reloads_total"));
        assertEquals(1, m.value("loomproxy_config_last_reload_successful"));
        assertEquals(start.getEpochSecond(), m.value("loomproxy_config_last_reload_success_timestamp_seconds"));

        metrics.reloads().failed(start.plusSeconds(60), List.of("x.properties:3: proxy_timeout: invalid time \"x\""));
        m = PromText.parse(metrics.scrape());
        assertEquals(0, m.value("loomproxy_config_reloads_total", "result", "ok"));
        assertEquals(1, m.value("loomproxy_config_reloads_total", "result", "failed"));
        assertEquals(0, m.value("loomproxy_config_last_reload_successful"));
        assertEquals(start.getEpochSecond(), m.value("loomproxy_config_last_reload_success_timestamp_seconds"));

        metrics.reloads().succeeded(start.plusSeconds(120));
        m = PromText.parse(metrics.scrape());
        assertEquals(1, m.value("loomproxy_config_reloads_total", "result", "ok"));
        assertEquals(1, m.value("loomproxy_config_last_reload_successful"));
        assertEquals(start.getEpochSecond() + 120, m.value("loomproxy_config_last_reload_success_timestamp_seconds"));
    }

    private static List<String> series(PromText m, String name) {
        return m.samples(name).stream().map(s -> s.labels().get("upstream") + " " + s.labels().get("peer"))
                .sorted().collect(Collectors.toList());
    }
}

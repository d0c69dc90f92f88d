package loomproxy.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.concurrent.atomic.LongAdder;
import loomproxy.upstream.PeerState;

/**
 * One scrape: every family of SPEC §10's table, in its order, each with HELP and TYPE even when it
 * has no sample yet. Label values come only from the configuration, the certificates in use and
 * fixed vocabularies, never from clients, so the number of series is bounded.
 */
final class Scrape {
    private final Metrics metrics;
    private final Exposition out = new Exposition();

    private Scrape(Metrics metrics) {
        this.metrics = metrics;
    }

    static String of(Metrics metrics) {
        Scrape s = new Scrape(metrics);
        s.build();
        s.sessions();
        s.upstreams();
        s.certificates();
        s.reloads();
        ProcessMetrics.write(s.out);
        return s.out.toString();
    }

    private void build() {
        out.family("loomproxy_build_info", "gauge", "Always 1; the labels say which loomproxy and which Java run.")
                .sample("loomproxy_build_info", 1, "version", Build.version(), "java_version", Build.javaVersion());
    }

    private void sessions() {
        out.family("loomproxy_connections_accepted_total", "counter", "Client connections accepted.");
        metrics.servers().forEach(s -> out.sample("loomproxy_connections_accepted_total", s.acceptedCount(), "server", s.name));
        out.family("loomproxy_sessions_active", "gauge", "Sessions accepted whose access log line is not written yet.");
        metrics.servers().forEach(s -> out.sample("loomproxy_sessions_active", s.active(), "server", s.name));
        out.family("loomproxy_sessions_total", "counter", "Sessions ended, by $status.");
        for (ServerMetrics s : metrics.servers()) {
            for (String status : ServerMetrics.STATUSES) {
                out.sample("loomproxy_sessions_total", s.ended(status), "server", s.name, "status", status);
            }
        }
        out.family("loomproxy_client_bytes_received_total", "counter", "Bytes received from clients ($bytes_received), added when a session ends.");
        metrics.servers().forEach(s -> out.sample("loomproxy_client_bytes_received_total", s.bytesReceived.sum(), "server", s.name));
        out.family("loomproxy_client_bytes_sent_total", "counter", "Bytes sent to clients ($bytes_sent), added when a session ends.");
        metrics.servers().forEach(s -> out.sample("loomproxy_client_bytes_sent_total", s.bytesSent.sum(), "server", s.name));
    }

    private void upstreams() {
        out.family("loomproxy_upstream_connect_seconds", "histogram", "Time of successful TCP connects to an upstream server.");
        for (UpstreamMetrics u : metrics.upstreams()) {
            u.peers.values().forEach(p -> out.histogram("loomproxy_upstream_connect_seconds", p.connect.snapshot(),
                    "upstream", u.name, "peer", p.name));
        }
        out.family("loomproxy_upstream_handshake_seconds", "histogram", "Time of successful TLS handshakes with an upstream server.");
        for (UpstreamMetrics u : tlsUpstreams()) {
            for (PeerMetrics p : u.peers.values()) {
                out.histogram("loomproxy_upstream_handshake_seconds", p.handshake[0].snapshot(),
                        "upstream", u.name, "peer", p.name, "resumed", "false");
                out.histogram("loomproxy_upstream_handshake_seconds", p.handshake[1].snapshot(),
                        "upstream", u.name, "peer", p.name, "resumed", "true");
            }
        }
        out.family("loomproxy_upstream_handshakes_total", "counter", "TLS handshakes completed with an upstream server.");
        for (ServerMetrics s : metrics.servers()) {
            for (RouteMetrics r : s.routes.values()) {
                for (int resumed = 0; resumed < 2; resumed++) {
                    for (Map.Entry<String, LongAdder> e : r.handshakes[resumed].entrySet()) {
                        out.sample("loomproxy_upstream_handshakes_total", e.getValue().sum(), "server", s.name,
                                "upstream", r.peer.upstream, "peer", r.peer.name, "protocol", e.getKey(),
                                "resumed", resumed == 1 ? "true" : "false");
                    }
                }
            }
        }
        out.family("loomproxy_upstream_failures_total", "counter", "Failed tries at an upstream server (connect, handshake,"
                + " verification) and upstream failures during a session, by reason.");
        for (ServerMetrics s : metrics.servers()) {
            for (RouteMetrics r : s.routes.values()) {
                r.failures.forEach((reason, n) -> out.sample("loomproxy_upstream_failures_total", n.sum(), "server", s.name,
                        "upstream", r.peer.upstream, "peer", r.peer.name, "reason", reason));
            }
        }
        peerStates();
        out.family("loomproxy_health_checks_total", "counter", "Active health check probes of an upstream server by"
                + " a server block, by result: ok, a TLS or connect failure reason, expect or timeout.");
        for (ServerMetrics s : metrics.servers()) {
            for (RouteMetrics r : s.routes.values()) {
                r.checks.forEach((result, n) -> out.sample("loomproxy_health_checks_total", n.sum(), "server", s.name,
                        "upstream", r.peer.upstream, "peer", r.peer.name, "result", result));
            }
        }
    }

    /** peer_up and peer_sessions_active; a server listed twice in a group is one series (up if either is). */
    private void peerStates() {
        Map<String, Map<String, int[]>> byGroup = new LinkedHashMap<>();
        for (UpstreamMetrics u : metrics.upstreams()) {
            Map<String, int[]> peers = new LinkedHashMap<>();
            for (PeerState state : u.states()) {
                peers.merge(state.peer().toString(), new int[] {state.usable() ? 1 : 0, state.conns()}, MERGE);
            }
            byGroup.put(u.name, peers);
        }
        out.family("loomproxy_upstream_peer_up", "gauge", "1 when the upstream server may be chosen now: not down,"
                + " not failed within fail_timeout, not unhealthy, below max_conns (a backup too, though it is"
                + " chosen only when no primary server is).");
        byGroup.forEach((u, peers) -> peers.forEach((p, v) -> out.sample("loomproxy_upstream_peer_up", v[0],
                "upstream", u, "peer", p)));
        out.family("loomproxy_upstream_peer_sessions_active", "gauge", "Open connections to the upstream server"
                + " (NGINX's conns, what max_conns limits).");
        byGroup.forEach((u, peers) -> peers.forEach((p, v) -> out.sample("loomproxy_upstream_peer_sessions_active", v[1],
                "upstream", u, "peer", p)));
    }

    private static final BinaryOperator<int[]> MERGE = (a, b) -> new int[] {Math.max(a[0], b[0]), a[1] + b[1]};

    private List<UpstreamMetrics> tlsUpstreams() {
        List<UpstreamMetrics> out = new ArrayList<>();
        for (ServerMetrics s : metrics.servers()) {
            if (s.tls && !out.contains(s.upstream)) {
                out.add(s.upstream);
            }
        }
        return out;
    }

    /**
     * Expiry per server block, role and subject; two certificates of one subject (two upstream
     * servers presenting copies, say) are one series with the earlier date, the one to act on.
     */
    private void certificates() {
        out.family("loomproxy_certificate_expiry_timestamp_seconds", "gauge", "notAfter of a certificate in use, in"
                + " seconds since the epoch: role client (proxy_ssl_certificate), trusted (proxy_ssl_trusted_certificate),"
                + " upstream (the server's certificate in its latest full handshake).");
        for (ServerMetrics s : metrics.servers()) {
            Map<String, Expiry> upstream = new LinkedHashMap<>();
            s.routes.values().stream().map(r -> r.certificate).filter(c -> c != null)
                    .forEach(c -> upstream.merge(c.name(), c, Scrape::earlier));
            expiries(s, "client", s.clientCertificates);
            expiries(s, "trusted", s.trustedCertificates);
            expiries(s, "upstream", List.copyOf(upstream.values()));
        }
        out.family("loomproxy_crl_next_update_timestamp_seconds", "gauge", "nextUpdate of a CRL in proxy_ssl_crl, in"
                + " seconds since the epoch; of several CRLs of one issuer, the latest.");
        for (ServerMetrics s : metrics.servers()) {
            Map<String, Expiry> byIssuer = new LinkedHashMap<>();
            s.crls.forEach(c -> byIssuer.merge(c.name(), c, (a, b) -> a.at().isAfter(b.at()) ? a : b));
            byIssuer.values().forEach(c -> out.sample("loomproxy_crl_next_update_timestamp_seconds", c.seconds(),
                    "server", s.name, "issuer", c.name()));
        }
    }

    private void expiries(ServerMetrics s, String role, List<Expiry> certificates) {
        Map<String, Expiry> bySubject = new LinkedHashMap<>();
        certificates.forEach(c -> bySubject.merge(c.name(), c, Scrape::earlier));
        bySubject.values().forEach(c -> out.sample("loomproxy_certificate_expiry_timestamp_seconds", c.seconds(),
                "server", s.name, "role", role, "subject", c.name()));
    }

    private static Expiry earlier(Expiry a, Expiry b) {
        return a.at().isAfter(b.at()) ? b : a;
    }

    private void reloads() {
        Reloads r = metrics.reloads();
        out.family("loomproxy_config_reloads_total", "counter", "Configuration reloads, by result (no samples before the first).");
        if (r.everReloaded()) {
            out.sample("loomproxy_config_reloads_total", r.ok.sum(), "result", "ok");
            out.sample("loomproxy_config_reloads_total", r.failed.sum(), "result", "failed");
        }
        out.family("loomproxy_config_last_reload_successful", "gauge", "1 when the last reload was applied (or none was tried), 0 when it failed.");
        out.sample("loomproxy_config_last_reload_successful", r.lastSucceeded() ? 1 : 0);
        out.family("loomproxy_config_last_reload_success_timestamp_seconds", "gauge", "When the running configuration was"
                + " loaded (start or last successful reload), in seconds since the epoch.");
        out.sample("loomproxy_config_last_reload_success_timestamp_seconds", r.lastSuccess().toEpochMilli() / 1000.0);
    }
}

package loomproxy.metrics;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import loomproxy.tls.TlsMaterial;
import loomproxy.upstream.Peer;

/**
 * The counters of one server block (label {@code server}). The data path calls {@link #accepted}
 * and {@link #ended} once per session and {@link #route} once per upstream try: lock-free adders,
 * no allocation. Active sessions are accepted minus ended, so no third counter has to agree with them.
 */
public final class ServerMetrics {
    /** SPEC §5's statuses, the label values of {@code loomproxy_sessions_total}. */
    static final List<String> STATUSES = List.of("200", "403", "500", "502", "503");

    final String name;
    private final InstantSource clock;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder[] ended = new LongAdder[STATUSES.size()];
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    /** Durable, by peer name, so a group rebuilt with new Peer objects for the same servers keeps counting. */
    final Map<String, RouteMetrics> routes = new ConcurrentHashMap<>();
    /** The fast path: by the Peer object itself (identity), filled from {@link #routes}. */
    private final Map<Peer, RouteMetrics> byPeer = new ConcurrentHashMap<>();
    volatile UpstreamMetrics upstream;
    volatile List<InetSocketAddress> listeners = List.of();
    volatile List<Expiry> clientCertificates = List.of();
    volatile List<Expiry> trustedCertificates = List.of();
    volatile List<Expiry> crls = List.of();
    /** proxy_ssl on: its group's servers get handshake series. */
    volatile boolean tls;
    /** health_check on: the status page shows this block's verdict on each server of its group. */
    volatile boolean checking;

    ServerMetrics(String name, InstantSource clock) {
        this.name = name;
        this.clock = clock;
        for (int i = 0; i < ended.length; i++) {
            ended[i] = new LongAdder();
        }
    }

    /**
     * Counters that belong to no registry: for a block built outside a {@link Metrics} (tests of
     * the data path). They count, and nothing reads them.
     */
    public static ServerMetrics unregistered(String name) {
        ServerMetrics m = new ServerMetrics(name, InstantSource.system());
        m.upstream = new UpstreamMetrics("");
        return m;
    }

    public String name() {
        return name;
    }

    /** A client connection was accepted: a session begins. */
    public void accepted() {
        accepted.increment();
    }

    /** A session ended with {@code status} after its access log line; bytes as $bytes_sent/$bytes_received. */
    public void ended(int status, long sentToClient, long receivedFromClient) {
        ended[index(status)].increment();
        bytesSent.add(sentToClient);
        bytesReceived.add(receivedFromClient);
    }

    /** The counters of this block's tries at {@code peer}. */
    public RouteMetrics route(Peer peer) {
        RouteMetrics route = byPeer.get(peer);
        return route != null ? route : byPeer.computeIfAbsent(peer, this::routeNamed);
    }

    /**
     * A peer no longer in the group (a session that began before a reload, still trying it) gets
     * counters of its own that no scrape shows, so a removed server's series do not come back.
     */
    private RouteMetrics routeNamed(Peer peer) {
        UpstreamMetrics u = upstream;
        String peerName = peer.toString();
        if (!u.peerNames().contains(peerName)) {
            return new RouteMetrics(name, new PeerMetrics(u.name, peerName), clock);
        }
        return routes.computeIfAbsent(peerName, n -> new RouteMetrics(name, u.peer(n), clock));
    }

    public long acceptedCount() {
        return accepted.sum();
    }

    /** Sessions accepted and not yet ended (their access log line not yet written). */
    public long active() {
        long done = 0;
        for (LongAdder e : ended) {
            done += e.sum();
        }
        return Math.max(0, accepted.sum() - done);
    }

    long ended(String status) {
        return ended[STATUSES.indexOf(status)].sum();
    }

    /** Whether this block runs an active health check of its group (SPEC §11). */
    public void checking(boolean on) {
        checking = on;
    }

    /** This block's latest health check probe of {@code peerName}; null when it checks nothing or has not probed it yet. */
    RouteMetrics.Check lastCheck(String peerName) {
        RouteMetrics route = routes.get(peerName);
        return checking && route != null ? route.lastCheck : null;
    }

    public List<InetSocketAddress> listeners() {
        return listeners;
    }

    /** The addresses this block listens on, once bound (port 0 resolved). */
    public void listening(List<InetSocketAddress> addresses) {
        listeners = List.copyOf(addresses);
    }

    /** (Re)points the block at its group and its TLS files; series of servers no longer in the group go. */
    void use(UpstreamMetrics group, Optional<TlsMaterial> tls) {
        if (upstream != group) {
            routes.clear();
        }
        upstream = group;
        routes.keySet().retainAll(group.peerNames());
        byPeer.clear();
        List<Expiry> client = new ArrayList<>();
        List<Expiry> trusted = new ArrayList<>();
        List<Expiry> revocations = new ArrayList<>();
        tls.ifPresent(t -> {
            t.clientChain().forEach(c -> client.add(Expiry.of(c)));
            t.trusted().forEach(c -> trusted.add(Expiry.of(c)));
            t.crls().forEach(c -> Expiry.of(c).ifPresent(revocations::add));
        });
        this.tls = tls.isPresent();
        clientCertificates = List.copyOf(client);
        trustedCertificates = List.copyOf(trusted);
        crls = List.copyOf(revocations);
    }

    /** Its group's servers changed (DNS): counters of servers that went are dropped, the rest carry on. */
    void peersChanged() {
        routes.keySet().retainAll(upstream.peerNames());
        byPeer.clear();
    }

    /** A status outside SPEC §5's list would be a bug of ours: it counts as 500, internal error. */
    private static int index(int status) {
        return switch (status) {
            case 200 -> 0;
            case 403 -> 1;
            case 502 -> 3;
            case 503 -> 4;
            default -> 2;
        };
    }
}

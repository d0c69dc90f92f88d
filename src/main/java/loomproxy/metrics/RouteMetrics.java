package loomproxy.metrics;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The counters of one server block's sessions at one upstream server (labels {@code server},
 * {@code upstream}, {@code peer}), resolved once per try from {@link ServerMetrics#route}. Every
 * method is a few lock-free increments; a map lookup finds an existing counter without allocating.
 */
public final class RouteMetrics {
    final String server;
    final PeerMetrics peer;
    private final InstantSource clock;
    /** By protocol; index 0 full handshakes, 1 resumed. */
    @SuppressWarnings("unchecked")
    final Map<String, LongAdder>[] handshakes = new Map[] {new ConcurrentHashMap<>(), new ConcurrentHashMap<>()};
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    /** The certificate this block saw in its latest full handshake with the server. */
    volatile Expiry certificate;
    /** This block's health check probes of the server, by result (SPEC §11); never a session's. */
    final Map<String, LongAdder> checks = new ConcurrentHashMap<>();
    /** The latest of them; null before the first. */
    volatile Check lastCheck;

    /** One health check probe: when it ended, its result ({@code ok} or a reason), and the check's verdict after it. */
    public record Check(Instant time, String result, boolean healthy) {}

    RouteMetrics(String server, PeerMetrics peer, InstantSource clock) {
        this.server = server;
        this.peer = peer;
        this.clock = clock;
    }

    /** The TCP connect succeeded after {@code nanos}. */
    public void connected(long nanos) {
        peer.connect.observe(nanos);
    }

    /**
     * A TLS handshake completed after {@code nanos}. A full one also records the server's
     * certificate (from the session, so only on full handshakes does this touch the chain).
     */
    public void handshake(String protocol, boolean resumed, long nanos, SSLSession session) {
        int i = resumed ? 1 : 0;
        peer.handshake[i].observe(nanos);
        handshakes[i].computeIfAbsent(protocol, p -> new LongAdder()).increment();
        if (!resumed && session != null) {
            Expiry leaf = leaf(session);
            if (leaf != null) {
                certificate = leaf;
                peer.certificate = leaf;
            }
        }
    }

    /** A try at this server failed; {@code reason} is one of SPEC §10's failure reasons. */
    public void failed(String reason) {
        failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
        peer.lastFailure = new PeerMetrics.Failure(clock.instant(), reason);
    }

    /**
     * A health check probe of the server by this block ended with {@code result}: {@code ok}, a
     * reason of SPEC §4 or a connect reason, {@code expect} or {@code timeout}; {@code healthy} is
     * the check's verdict after it.
     */
    public void checked(String result, boolean healthy) {
        checks.computeIfAbsent(result, r -> new LongAdder()).increment();
        lastCheck = new Check(clock.instant(), result, healthy);
    }

    /** The latest health check probe of the server by this block; null before the first. */
    public Check lastCheck() {
        return lastCheck;
    }

    private static Expiry leaf(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? Expiry.of(x) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null; // an anonymous suite: no certificate to watch
        }
    }
}

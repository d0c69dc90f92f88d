package loomproxy.metrics;

import java.time.Instant;

/**
 * What the sessions of every server block learn about one upstream server (SPEC §10: labels
 * {@code upstream}, {@code peer}): connect and handshake times, its last failure and the
 * certificate of its latest full handshake. Its live state (conns, fails) is read from the group.
 */
public final class PeerMetrics {
    /** A failure of a session's connect, handshake or relay, as the log names it. */
    public record Failure(Instant time, String reason) {}

    final String upstream;
    final String name;
    final Histogram connect = new Histogram();
    /** Index 0: full handshakes, 1: resumed. */
    final Histogram[] handshake = {new Histogram(), new Histogram()};
    volatile Failure lastFailure;
    volatile Expiry certificate;

    PeerMetrics(String upstream, String name) {
        this.upstream = upstream;
        this.name = name;
    }

    public Failure lastFailure() {
        return lastFailure;
    }

    /** Subject and notAfter of the certificate of the latest full handshake; null before the first. */
    public Expiry certificate() {
        return certificate;
    }
}

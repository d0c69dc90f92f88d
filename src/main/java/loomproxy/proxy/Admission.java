package loomproxy.proxy;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import loomproxy.config.LogLevel;

/**
 * What the checks before any upstream work decided for one connection (SPEC §9): admitted, or
 * refused with a status (503 by a limit, 403 by an access rule), the error log line and its level;
 * and the limit slots it holds. A connection refused by an access rule has passed the limits
 * first, so it holds its slots too, until its session has ended; {@link #release} gives them back
 * exactly once, whatever path the session took.
 */
final class Admission {
    private final int status;
    private final String refusal;
    private final LogLevel level;
    private final Limits.Counts counts;
    private final InetAddress address;
    private final AtomicBoolean released = new AtomicBoolean();

    /**
     * @param counts  the block's counters this connection entered, or null
     * @param address the address it holds an entry for in their table, or null
     */
    private Admission(int status, String refusal, LogLevel level, Limits.Counts counts, InetAddress address) {
        this.status = status;
        this.refusal = refusal;
        this.level = level;
        this.counts = counts;
        this.address = address;
    }

    static Admission admitted(Limits.Counts counts, InetAddress address) {
        return new Admission(0, null, null, counts, address);
    }

    /** Admitted without counting: sessions built outside a {@link Limits} (tests of the data path). */
    static Admission uncounted() {
        return new Admission(0, null, null, null, null);
    }

    /** Refused by a limit: nothing is held. */
    static Admission overLimit(String message, LogLevel level) {
        return new Admission(503, message, level, null, null);
    }

    /** Refused by an access rule after the limits let it in: it holds their slots until it has ended. */
    static Admission forbidden(Limits.Counts counts, InetAddress address) {
        return new Admission(403, "access forbidden by rule", LogLevel.ERROR, counts, address);
    }

    boolean admitted() {
        return refusal == null;
    }

    /** $status of a refused connection: 403 or 503. */
    int status() {
        return status;
    }

    /** The error log's words for a refusal, before the session's ", client: ..., server: ..." */
    String refusal() {
        return refusal;
    }

    LogLevel level() {
        return level;
    }

    /** Gives back whatever this connection counted in; only the first call does anything. */
    void release() {
        if (counts != null && released.compareAndSet(false, true)) {
            counts.leave(address);
        }
    }
}

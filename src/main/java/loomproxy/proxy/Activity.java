package loomproxy.proxy;

/**
 * The last time either direction of a session moved a byte, for proxy_timeout: NGINX ends a
 * session after that long with no data either way, not after a quiet spell in one direction.
 * The proxy's idle sweeper checks it; reads carry no socket timeout, because a timed read costs a
 * timer per read on a virtual thread (measured: about a quarter of a small round trip's CPU).
 */
final class Activity {
    private final long timeoutNanos;
    private volatile long last = System.nanoTime();
    private volatile boolean expired;

    Activity(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    void touch() {
        last = System.nanoTime();
    }

    /** True once, when the session has been idle for proxy_timeout; the sweeper then tells the session. */
    boolean expireIfIdle(long now) {
        if (!expired && now - last >= timeoutNanos) {
            expired = true;
            return true;
        }
        return false;
    }
}

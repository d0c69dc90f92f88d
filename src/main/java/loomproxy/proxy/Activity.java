package loomproxy.proxy;

/**
 * The last time either direction of a session moved a byte, for proxy_timeout: NGINX ends a
 * session after that long with no data either way, not after a quiet spell in one direction.
 */
final class Activity {
    private final long timeoutNanos;
    private volatile long last = System.nanoTime();

    Activity(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    void touch() {
        last = System.nanoTime();
    }

    boolean idleFor() {
        return System.nanoTime() - last >= timeoutNanos;
    }
}

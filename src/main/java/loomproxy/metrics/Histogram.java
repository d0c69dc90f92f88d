package loomproxy.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram of durations with fixed buckets. {@link #observe} is one bucket search
 * over {@link #BOUNDS_NANOS} and two {@link LongAdder} increments: no lock, no allocation. Buckets
 * are kept per range and summed into Prometheus' cumulative {@code le} form only when scraped.
 */
public final class Histogram {
    /**
     * Upper bounds in seconds, suited to a TCP connect or a TLS handshake: 0.5 ms (a loopback
     * connect) to 10 s (beyond any sane proxy_connect_timeout's useful range).
     */
    static final double[] BOUNDS = {.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
        }
    }

    /** {@code counts[i]}: observations in (BOUNDS[i-1], BOUNDS[i]]; the last one: above every bound. */
    private final LongAdder[] counts = new LongAdder[BOUNDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public Histogram() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    public void observe(long nanos) {
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        counts[i].increment();
        sumNanos.add(nanos);
    }

    /**
     * Cumulative counts per bound, the last one being {@code +Inf} and so the count. Read while
     * observations go on, a bucket may miss the newest one; cumulating one read of each range keeps
     * the buckets monotonic and {@code +Inf} equal to the count whatever happens meanwhile.
     */
    Snapshot snapshot() {
        long[] cumulative = new long[counts.length];
        long running = 0;
        for (int i = 0; i < counts.length; i++) {
            running += counts[i].sum();
            cumulative[i] = running;
        }
        return new Snapshot(cumulative, sumNanos.sum() / 1e9);
    }

    /** {@code cumulative[BOUNDS.length]} is the {@code +Inf} bucket, equal to the count. */
    record Snapshot(long[] cumulative, double sumSeconds) {
        long count() {
            return cumulative[cumulative.length - 1];
        }
    }
}

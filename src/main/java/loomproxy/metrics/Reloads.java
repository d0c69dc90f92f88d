package loomproxy.metrics;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Configuration reloads (SPEC §7, §10): fed by the reload when it exists. Until the first reload
 * the counters have no samples, the last reload counts as successful and its time is the start.
 */
public final class Reloads {
    /** One reload: when, whether it was applied, and the problems that stopped it (FILE:LINE: KEY: message). */
    public record Outcome(Instant time, boolean ok, List<String> errors) {
        public Outcome {
            errors = List.copyOf(errors);
        }
    }

    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();
    private volatile Outcome last;
    private volatile Instant lastSuccess;

    Reloads(Instant loaded) {
        this.lastSuccess = loaded;
    }

    public void succeeded(Instant at) {
        ok.increment();
        lastSuccess = at;
        last = new Outcome(at, true, List.of());
    }

    public void failed(Instant at, List<String> errors) {
        failed.increment();
        last = new Outcome(at, false, errors);
    }

    /** Null until the first reload. */
    public Outcome last() {
        return last;
    }

    /** The start, until a reload succeeds. */
    public Instant lastSuccess() {
        return lastSuccess;
    }

    boolean lastSucceeded() {
        Outcome o = last;
        return o == null || o.ok();
    }

    boolean everReloaded() {
        return last != null;
    }
}

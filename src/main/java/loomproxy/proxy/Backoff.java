package loomproxy.proxy;

import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * How the accept loop waits out a failure it cannot fix (no descriptors, no memory): a pause that
 * doubles up to a ceiling, so it never spins and resumes soon after the cause goes away, and a log
 * line at most once a second, so a long shortage does not flood the error log.
 */
final class Backoff {
    private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

    private final long first;
    private final long longest;
    private final System.Logger log;
    private long next;
    private long lastLogged;
    private boolean logged;
    private int quiet;

    Backoff(Duration first, Duration longest, System.Logger log) {
        this.first = first.toNanos();
        this.longest = longest.toNanos();
        this.log = log;
        this.next = this.first;
    }

    /** Logs (at most once a second) and sleeps for the current pause, then doubles it. */
    void pause(String what, Throwable cause) {
        long now = System.nanoTime();
        if (!logged || now - lastLogged >= LOG_INTERVAL_NANOS) {
            String repeats = quiet == 0 ? "" : " (" + quiet + " more since the last report)";
            log.log(Level.ERROR, what + ": " + describe(cause) + "; pausing up to " + longest / 1_000_000 + "ms" + repeats);
            logged = true;
            lastLogged = now;
            quiet = 0;
        } else {
            quiet++;
        }
        sleep(next);
        next = Math.min(longest, next * 2);
    }

    /** The failure is over: the next one starts with the shortest pause again. */
    void reset() {
        next = first;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        if (cause instanceof java.io.IOException) {
            return message == null ? cause.toString() : message;
        }
        return cause.toString(); // not expected: name the kind (OutOfMemoryError, ...)
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package loomproxy.proxy;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import loomproxy.observe.AccessLog;
import loomproxy.observe.SessionFacts;

/**
 * The open sessions of one proxy: numbers them ($connection), counts them for the limits and admits
 * or refuses each one ({@link Limits}), writes each one's access log line as it ends and only then
 * gives back its limit slots, lets shutdown wait for them to drain, and runs the idle sweeper.
 */
final class Sessions {
    private final Set<Session> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong numbers = new AtomicLong();
    /** Replaced by a reload (another format or file); a session writes to the one current at its end. */
    private volatile AccessLog accessLog;
    private final System.Logger log;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final Limits limits;

    Sessions(AccessLog accessLog, System.Logger log) {
        this(accessLog, log, new Limits());
    }

    Sessions(AccessLog accessLog, System.Logger log, Limits limits) {
        this.accessLog = accessLog;
        this.log = log;
        this.limits = limits;
    }

    /** Limits, then access rules, for a connection just accepted by {@code block}'s listener (SPEC §9). */
    Admission admit(Block block, java.net.InetAddress client) {
        return limits.admit(block.config(), client);
    }

    Limits limits() {
        return limits;
    }

    void accessLog(AccessLog next) {
        this.accessLog = next;
    }

    long nextNumber() {
        return numbers.incrementAndGet();
    }

    void started(Session session) {
        open.add(session);
    }

    /** The session's last act: its access log line, then it leaves, whatever the log write did. */
    void ended(Session session, SessionFacts facts) {
        try {
            AccessLog current = accessLog;
            if (current != null) {
                current.write(facts);
            }
        } catch (RuntimeException e) {
            log.log(Level.ERROR, "#" + facts.connection() + " access log: internal error: " + e);
        } finally {
            // A session counts from accept to the end of its access log line (SPEC §9).
            session.admission().release();
            session.block().metrics().ended(facts.status(), facts.bytesSent(), facts.bytesReceived());
            open.remove(session);
            if (open.isEmpty()) {
                lock.lock();
                try {
                    drained.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    int count() {
        return open.size();
    }

    /** Waits until no session is open or {@code grace} has passed; true if all ended. */
    boolean awaitDrained(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        lock.lock();
        try {
            while (!open.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                drained.awaitNanos(Math.min(left, Duration.ofMillis(100).toNanos()));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return open.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    void abortAll() {
        open.forEach(Session::abort);
    }

    /**
     * Ends sessions idle for their proxy_timeout, checking every {@code tick} until the proxy stops:
     * one platform thread for all sessions instead of a timer on every read. It only tells each
     * idle session so; the session ends itself, so no peer can hold the sweeper up.
     */
    void sweepIdle(Supplier<Duration> tick, BooleanSupplier running) {
        while (running.getAsBoolean()) {
            LockSupport.parkNanos(tick.get().toNanos());
            long now = System.nanoTime();
            for (Session session : open) {
                try {
                    session.sweep(now);
                } catch (RuntimeException e) {
                    log.log(Level.ERROR, "idle sweeper: internal error: " + e);
                }
            }
        }
    }
}

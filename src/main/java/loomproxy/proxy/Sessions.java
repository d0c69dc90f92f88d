package loomproxy.proxy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import loomproxy.observe.AccessLog;
import loomproxy.observe.SessionFacts;

/**
 * The open sessions of one proxy: numbers them ($connection), writes each one's access log line as it
 * ends, and lets shutdown wait for them to drain.
 */
final class Sessions {
    private final Set<Session> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong numbers = new AtomicLong();
    private final AccessLog accessLog;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();

    Sessions(AccessLog accessLog) {
        this.accessLog = accessLog;
    }

    long nextNumber() {
        return numbers.incrementAndGet();
    }

    void started(Session session) {
        open.add(session);
    }

    void ended(Session session, SessionFacts facts) {
        if (accessLog != null) {
            accessLog.write(facts);
        }
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

    int count() {
        return open.size();
    }

    /** Waits until no session is open or the grace period has passed; true if all ended. */
    boolean awaitDrained(Duration grace) throws InterruptedException {
        long remaining = grace.toNanos();
        lock.lock();
        try {
            while (!open.isEmpty() && remaining > 0) {
                remaining = drained.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
            }
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
     * one platform thread for all sessions instead of a timer on every read.
     */
    void sweepIdle(Duration tick, java.util.function.BooleanSupplier running) {
        while (running.getAsBoolean()) {
            java.util.concurrent.locks.LockSupport.parkNanos(tick.toNanos());
            long now = System.nanoTime();
            open.forEach(s -> s.sweep(now));
        }
    }
}

package loomproxy.proxy;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How a relaying session learns that it should end: a pump finished, the idle sweeper found it
 * quiet for proxy_timeout, or shutdown aborted it. The session's own thread waits here and does
 * the ending itself; the others only signal, so none of them ever blocks on a peer.
 *
 * <p>A pump reports under the lock after writing its results, so the session reads the results
 * of a pump it was told about with a happens-before edge; the first pump to end is decided here,
 * not read from a racy field.
 */
final class Ending {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Pump first;
    private int pumpsEnded;
    private boolean idle;

    void pumpEnded(Pump pump) {
        lock.lock();
        try {
            if (first == null) {
                first = pump;
            }
            pumpsEnded++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** From the idle sweeper: no byte either way for proxy_timeout. */
    void wentIdle() {
        lock.lock();
        try {
            idle = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a pump ends or the session goes idle; the first pump, or null when idle came first. */
    Pump awaitFirst() {
        lock.lock();
        try {
            while (first == null && !idle) {
                changed.awaitUninterruptibly();
            }
            return first;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until both pumps ended or the session went idle; true when both ended. */
    boolean awaitBoth() {
        lock.lock();
        try {
            while (pumpsEnded < 2 && !idle) {
                changed.awaitUninterruptibly();
            }
            return pumpsEnded == 2;
        } finally {
            lock.unlock();
        }
    }

    /** Waits at most {@code nanos} for both pumps to end; true when they have. */
    boolean awaitBoth(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (pumpsEnded < 2 && left > 0) {
                try {
                    left = changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return pumpsEnded == 2;
                }
            }
            return pumpsEnded == 2;
        } finally {
            lock.unlock();
        }
    }

    boolean isIdle() {
        lock.lock();
        try {
            return idle;
        } finally {
            lock.unlock();
        }
    }
}

package loomproxy.proxy;

import java.net.Socket;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Deadlines on whole operations with a peer — a TLS handshake, a close_notify — enforced by
 * resetting the TCP connection underneath when one passes. A socket timeout bounds one read at a
 * time (a peer that drips a byte per timeout holds it forever) and no write at all; a deadline
 * bounds the operation. One timer thread per proxy; what it runs only resets sockets, so it never
 * waits on a peer itself.
 */
final class Deadlines implements AutoCloseable {
    /** One armed deadline: {@link #disarm} when the operation is over. */
    static final class Deadline {
        private final Socket socket;
        private final AtomicBoolean settled = new AtomicBoolean();
        private volatile ScheduledFuture<?> timer;
        private volatile boolean passed;

        private Deadline(Socket socket) {
            this.socket = socket;
        }

        private void pass() {
            if (settled.compareAndSet(false, true)) {
                passed = true;
                Sockets.reset(socket);
            }
        }

        /**
         * Ends the deadline's watch. Returns false when it had already passed: then the socket has been
         * reset, and whatever the operation returned is not to be trusted.
         */
        boolean disarm() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            return true;
        }

        /** True once the deadline passed and reset the socket. */
        boolean passed() {
            return passed;
        }
    }

    private final ScheduledThreadPoolExecutor timer;

    Deadlines() {
        timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "deadlines");
            thread.setDaemon(true);
            return thread;
        });
        // Most deadlines are disarmed long before they pass; keep the queue to the live ones.
        timer.setRemoveOnCancelPolicy(true);
        timer.prestartCoreThread();
    }

    /** Resets {@code socket} (a plain TCP socket) when {@code nanos} pass, unless disarmed first. */
    Deadline arm(Socket socket, long nanos) {
        Deadline deadline = new Deadline(socket);
        if (nanos <= 0) {
            deadline.pass();
            return deadline;
        }
        try {
            deadline.timer = timer.schedule(deadline::pass, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            deadline.pass(); // the proxy has stopped: nothing may wait on a peer any more
        }
        return deadline;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

package loomproxy.proxy;

import java.lang.System.Logger.Level;
import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import loomproxy.config.HealthCheck;
import loomproxy.upstream.Peer;

/**
 * One server block's health check of one upstream server (SPEC §11), on a virtual thread of its own
 * ("health check main 10.0.0.9:12345"): a {@link Probe} every {@code interval} less up to 10 % (the
 * jitter keeps the probes of many servers from meeting, and never makes one later than an
 * interval), one at a time — the next is only planned when the last has ended, and a server
 * checked by several blocks is probed by one of them at a time ({@code serverLock}).
 *
 * <p>{@code fails} failed probes in a row make the server unhealthy for this block, {@code passes}
 * good ones healthy again; each change is logged once, and the verdict goes to the group, which
 * chooses a server only while every check says it is healthy.
 */
final class ServerCheck implements Runnable {
    private final Block block;
    private final HealthCheck settings;
    private final Peer peer;
    private final Probe probe;
    private final ReentrantLock serverLock;
    private final System.Logger log;
    private volatile boolean running = true;
    private volatile boolean healthy;
    /** Consecutive failed and good probes; written only by the check's own thread once it runs. */
    private int fails;
    private int passes;
    /** The socket of the probe under way, reset when the check stops. */
    private volatile Socket socket;
    private Thread thread;

    /**
     * @param before this block's check of the same server before a reload, or null: its verdict is
     *               kept (SPEC §7), and so are its counts when the check's settings did not change
     */
    ServerCheck(Block block, Peer peer, Deadlines deadlines, ReentrantLock serverLock, System.Logger log,
                ServerCheck before, boolean sameSettings) {
        this.block = block;
        this.settings = block.config().healthCheck().orElseThrow();
        this.peer = peer;
        this.probe = new Probe(block, settings, deadlines);
        this.serverLock = serverLock;
        this.log = log;
        this.healthy = before == null || before.healthy;
        if (before != null && sameSettings) {
            this.fails = before.fails;
            this.passes = before.passes;
        }
    }

    Peer peer() {
        return peer;
    }

    boolean healthy() {
        return healthy;
    }

    boolean running() {
        return running;
    }

    /** Hands the verdict to the group, then probes from now on. */
    void start() {
        block.group().health(peer, block.name(), healthy, this::running);
        thread = Thread.ofVirtual().name("health check " + block.name() + " " + peer).start(this);
    }

    /**
     * Ends the check without waiting: a probe under way is reset (it never waits on the peer after
     * this), and no verdict it reaches is recorded.
     */
    void stop() {
        running = false;
        Sockets.reset(socket);
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public void run() {
        long interval = settings.interval().toNanos();
        // The first probe soon after start (within a tenth of an interval), spread like the rest.
        long next = System.nanoTime() + jitter(interval);
        while (running && parkUntil(next)) {
            long started = System.nanoTime();
            Probe.Result result;
            try {
                serverLock.lockInterruptibly();
            } catch (InterruptedException stopped) {
                return;
            }
            try {
                result = running ? probe.run(peer, s -> socket = s) : null;
            } catch (RuntimeException e) {
                // A bug of ours must not end the check, nor count against the server.
                log.log(Level.ERROR, "health check of upstream " + peer + ", server: " + block.name() + ": internal error: " + e);
                result = null;
            } finally {
                socket = null;
                serverLock.unlock();
            }
            if (result != null && running) {
                record(result);
            }
            next = started + interval - jitter(interval);
        }
    }

    private void record(Probe.Result result) {
        if (result.ok()) {
            fails = 0;
            passes++;
            if (!healthy && passes >= settings.passes()) {
                healthy = true;
                log.log(Level.INFO, "upstream " + peer + " is healthy again, server: " + block.name());
            }
        } else {
            passes = 0;
            fails++;
            log.log(Level.DEBUG, "health check of upstream " + peer + " failed: " + result.message() + ", server: " + block.name());
            if (healthy && fails >= settings.fails()) {
                healthy = false;
                log.log(Level.WARNING, "upstream " + peer + " is unhealthy: " + result.message() + ", server: " + block.name());
            }
        }
        block.group().health(peer, block.name(), healthy, this::running);
        block.metrics().route(peer).checked(result.result(), healthy);
    }

    /** Waits until {@code deadline} (System.nanoTime); false when the check was stopped meanwhile. */
    private boolean parkUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0 && running; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                return false;
            }
        }
        return running;
    }

    private static long jitter(long interval) {
        return ThreadLocalRandom.current().nextLong(interval / 10 + 1);
    }

    /** For messages and thread names. */
    @Override
    public String toString() {
        return "health check " + block.name() + " " + peer;
    }
}

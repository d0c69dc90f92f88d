package loomproxy.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that sends as fast as it can and never reads, until a write fails: the hostile peer
 * that fills every buffer on the way. {@link #awaitBlocked} tells when it can send no more, i.e. the
 * proxy has stopped reading from it because its own write onward is blocked.
 */
public final class Flood implements AutoCloseable {
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile IOException failure;

    public Flood(Socket socket) {
        writer = Thread.ofVirtual().name("flood").start(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                OutputStream out = socket.getOutputStream();
                while (true) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                failure = e;
            }
        });
    }

    public long written() {
        return written.get();
    }

    /**
     * Waits until the flood has sent something and then made no progress for {@code quiet}: every
     * buffer between it and the stalled peer is full.
     */
    public void awaitBlocked(Duration quiet, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long last = -1;
        long since = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            long current = written.get();
            if (current != last || current == 0) {
                last = current;
                since = now;
            } else if (now - since >= quiet.toNanos()) {
                return;
            }
            if (now > deadline || !writer.isAlive()) {
                throw new AssertionError("the flood did not block (wrote " + current + " bytes, failure " + failure + ")");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }

    /** Waits for the flood to end (a write failed) and returns the failure. */
    public IOException awaitEnd(Duration limit) throws InterruptedException {
        if (!writer.join(limit)) {
            throw new AssertionError("the flood is still writing after " + limit.toMillis() + "ms");
        }
        return failure;
    }

    @Override
    public void close() {
        writer.interrupt();
    }
}

package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A well-behaved client beside a hostile peer: through an echo upstream it streams seeded random
 * bytes and checks every byte that comes back against the same seeded stream, until {@link #stop}.
 * What a fault elsewhere must never do is touch it: cut it, corrupt a byte of it, or stop it for good.
 */
public final class Bystander implements AutoCloseable {
    private static final int CHUNK = 16 * 1024;
    /**
     * Its pace, bytes per second: enough to notice a stall at once, little enough that it does not
     * take the CPU from the faults it stands beside (a test machine may have two cores).
     */
    private static final long RATE = 32L * 1024 * 1024;

    private final Socket socket;
    private final Thread writer;
    private final Thread reader;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong echoed = new AtomicLong();
    /** One permit per chunk written, and one more when the writer is done, so the reader never waits for nothing. */
    private final Semaphore chunks = new Semaphore(0);
    private volatile boolean stopping;
    private volatile boolean writerDone;
    private volatile Throwable failure;

    private Bystander(Socket socket, long seed) {
        this.socket = socket;
        this.writer = Thread.ofVirtual().name("bystander writer").start(() -> write(seed));
        this.reader = Thread.ofVirtual().name("bystander reader").start(() -> read(seed));
    }

    /** Starts streaming on {@code socket}, a connection to a proxy in front of an echo upstream. */
    public static Bystander on(Socket socket, long seed) {
        return new Bystander(socket, seed);
    }

    private void write(long seed) {
        Random random = new Random(seed);
        byte[] chunk = new byte[CHUNK];
        long started = System.nanoTime();
        try {
            OutputStream out = socket.getOutputStream();
            while (!stopping && failure == null) {
                random.nextBytes(chunk);
                out.write(chunk);
                long sent = written.addAndGet(chunk.length);
                chunks.release();
                LockSupport.parkNanos(started + sent * 1_000_000_000L / RATE - System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        } finally {
            writerDone = true;
            chunks.release();
        }
    }

    private void read(long seed) {
        Random random = new Random(seed);
        byte[] expected = new byte[CHUNK];
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                chunks.acquire();
                // The writer's count is final once it is done: then everything it wrote must come back.
                if (writerDone && echoed.get() >= written.get() || failure != null) {
                    return;
                }
                byte[] back = Bytes.readExactly(in, CHUNK);
                random.nextBytes(expected);
                if (!Arrays.equals(expected, back)) {
                    throw new AssertionError("the bystander's echo differs after " + echoed.get() + " bytes");
                }
                echoed.addAndGet(CHUNK);
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            failure = e;
        } catch (InterruptedException e) {
            failure = e;
            Thread.currentThread().interrupt();
        }
    }

    /** Bytes sent and received back intact so far. */
    public long echoed() {
        return echoed.get();
    }

    /** Waits until at least {@code bytes} more have been echoed than now: it is alive, not just intact. */
    public void awaitProgress(long bytes, Duration limit) {
        awaitEchoed(echoed.get() + bytes, limit);
    }

    /** Waits until {@code total} bytes have been echoed since the start. */
    public void awaitEchoed(long total, Duration limit) {
        Wait.until(() -> echoed.get() >= total || failure != null, limit,
                () -> "the bystander echoed only " + echoed.get() + " of " + total + " bytes");
        assertAlive();
    }

    /**
     * Stops writing, waits for every byte written to come back, and throws unless all of them came
     * back intact; returns how many that was.
     */
    public long stop(Duration limit) throws InterruptedException, IOException {
        stopping = true;
        if (failure != null) {
            socket.close(); // a writer blocked on a peer that no longer reads
        }
        if (!writer.join(limit) || !reader.join(limit)) {
            throw new AssertionError("the bystander is stuck: " + echoed.get() + " of " + written.get() + " bytes echoed");
        }
        assertAlive();
        if (echoed.get() == 0 || echoed.get() != written.get()) {
            throw new AssertionError("the bystander echoed " + echoed.get() + " of " + written.get() + " bytes");
        }
        return echoed.get();
    }

    private void assertAlive() {
        if (failure != null) {
            throw new AssertionError("the bystander failed after " + echoed.get() + " bytes: " + failure, failure);
        }
    }

    @Override
    public void close() throws IOException {
        stopping = true;
        socket.close();
    }
}

package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A well-behaved client beside a hostile peer: through an echo upstream it sends seeded random
 * chunks and checks each one comes back unchanged, over and over, until {@link #stop}. What a
 * fault must never do is touch it — a stall, a reset or a flood elsewhere may not slow it to a
 * halt, cut it or corrupt a byte of it.
 */
public final class Bystander implements AutoCloseable {
    private static final int CHUNK = 16 * 1024;

    private final Socket socket;
    private final Thread thread;
    private final AtomicLong echoed = new AtomicLong();
    private volatile boolean stopping;
    private volatile Throwable failure;

    private Bystander(Socket socket, long seed) {
        this.socket = socket;
        this.thread = Thread.ofVirtual().name("bystander").start(() -> run(seed));
    }

    /** Starts echoing on {@code socket}, a connection to a proxy in front of an echo upstream. */
    public static Bystander on(Socket socket, long seed) {
        return new Bystander(socket, seed);
    }

    private void run(long seed) {
        Random random = new Random(seed);
        byte[] chunk = new byte[CHUNK];
        try {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            while (!stopping) {
                random.nextBytes(chunk);
                out.write(chunk);
                byte[] back = Bytes.readExactly(in, chunk.length);
                if (!Arrays.equals(chunk, back)) {
                    throw new AssertionError("the bystander's echo differs after " + echoed.get() + " bytes");
                }
                echoed.addAndGet(chunk.length);
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            failure = e;
        }
    }

    /** Bytes sent and received back intact so far. */
    public long echoed() {
        return echoed.get();
    }

    /** Waits until at least {@code bytes} more have been echoed than now: it is alive, not just intact. */
    public void awaitProgress(long bytes, Duration limit) {
        long target = echoed.get() + bytes;
        Wait.until(() -> echoed.get() >= target || failure != null, limit,
                () -> "the bystander made no progress: " + echoed.get() + " bytes echoed");
        assertAlive();
    }

    /**
     * Stops after the chunk in flight and throws unless every chunk came back intact; returns the
     * bytes echoed, which must be more than none.
     */
    public long stop(Duration limit) throws InterruptedException {
        stopping = true;
        if (!thread.join(limit)) {
            throw new AssertionError("the bystander's echo is stuck after " + echoed.get() + " bytes");
        }
        assertAlive();
        if (echoed.get() == 0) {
            throw new AssertionError("the bystander echoed nothing");
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

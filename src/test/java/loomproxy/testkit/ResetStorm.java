package loomproxy.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that connect and reset at once: SO_LINGER 0 and close, so the proxy gets an RST instead of
 * a FIN — right after the handshake, or after a few bytes. Hundreds of them from a few threads,
 * the churn a port scanner or a crashing client fleet makes (toxiproxy's "reset_peer", from the
 * client's side).
 */
public final class ResetStorm {
    /** How the storm went: every client connected and reset, or the connect failures. */
    public record Result(int reset, List<IOException> failures) {}

    private ResetStorm() {
    }

    /**
     * Runs {@code clients} clients on {@code threads} threads and returns when all are done. Every
     * other client sends {@code bytes} before its reset; the rest reset without a byte.
     */
    public static Result run(InetSocketAddress target, int clients, int threads, byte[] bytes)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger reset = new AtomicInteger();
        List<IOException> failures = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(threads,
                // Platform threads: the storm must not wait its turn behind the sessions it makes.
                Thread.ofPlatform().daemon().name("reset storm ", 0).factory())) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < clients; ) {
                        try {
                            connectAndReset(target, i % 2 == 1 ? bytes : new byte[0]);
                            reset.incrementAndGet();
                        } catch (IOException e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a storm thread failed", e.getCause());
        }
        return new Result(reset.get(), List.copyOf(failures));
    }

    private static void connectAndReset(InetSocketAddress target, byte[] bytes) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(target, 20_000);
            if (bytes.length > 0) {
                socket.getOutputStream().write(bytes);
            }
            socket.setSoLinger(true, 0);
        } finally {
            socket.close();
        }
    }
}

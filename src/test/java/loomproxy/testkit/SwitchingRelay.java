package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream address whose behaviour a test changes while the proxy runs: every new connection is
 * relayed, byte for byte and end for end (EOF as EOF, a reset as a reset), to the fixture chosen
 * last — a good TLS server, one with an expired certificate, a {@link StalledUpstream}, a
 * {@link SlicingRelay}, ... — or, after {@link #refuse()}, refused (the listener is closed and bound
 * again at the next {@link #switchTo}). Connections already relayed keep their target.
 *
 * <p>Its port is below Linux's ephemeral range (32768 and up), so nothing else takes it while the
 * listener is closed: the kernel never picks it for an outgoing connection, and other tests bind port 0.
 */
public final class SwitchingRelay implements AutoCloseable {
    /** How long an EOF waits for the other direction's reset: it comes within microseconds. */
    private static final Duration RESET_VERDICT = Duration.ofMillis(50);

    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile int target;
    private volatile ServerSocket server;
    private volatile boolean closed;

    private SwitchingRelay(int targetPort) throws IOException {
        this.target = targetPort;
        ServerSocket bound = null;
        for (int attempt = 0; bound == null; attempt++) {
            try {
                bound = bind(ThreadLocalRandom.current().nextInt(20_000, 32_000));
            } catch (BindException taken) {
                if (attempt == 100) {
                    throw taken;
                }
            }
        }
        this.port = bound.getLocalPort();
        listen(bound);
    }

    /** A relay to the fixture on {@code targetPort} (loopback). */
    public static SwitchingRelay relaying(int targetPort) throws IOException {
        return new SwitchingRelay(targetPort);
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Connections accepted so far (relayed or not). */
    public int accepted() {
        return accepted.get();
    }

    /** From now on, relays new connections to {@code targetPort}; listens again if it was refusing. */
    public synchronized void switchTo(int targetPort) throws IOException {
        target = targetPort;
        if (server == null && !closed) {
            listen(bind(port));
        }
    }

    /** From now on, connections are refused (nothing listens); those relayed already go on. */
    public synchronized void refuse() throws IOException {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private void listen(ServerSocket s) {
        server = s;
        Thread.ofPlatform().daemon().name("switching relay " + port).start(() -> acceptLoop(s));
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return; // refuse() or close()
            }
            accepted.incrementAndGet();
            Thread.ofVirtual().start(() -> relay(client, target));
        }
    }

    private void relay(Socket client, int targetPort) {
        Socket upstream = new Socket();
        open.add(client);
        open.add(upstream);
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 10_000);
        } catch (IOException e) {
            reset(client);
            reset(upstream);
            return;
        }
        CountDownLatch broken = new CountDownLatch(1);
        Thread back = Thread.ofVirtual().start(() -> copy(upstream, client, broken));
        copy(client, upstream, broken);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close(client);
        close(upstream);
    }

    /**
     * One direction: EOF is passed on as a half-close, a failure (a reset) as a reset of both.
     * Linux reports a reset once: when the other direction's write takes it, this direction's read
     * sees a plain EOF right after. So an EOF waits a moment for the other direction's verdict
     * ({@code broken}) and passes a reset on as a reset, never as a FIN.
     */
    private void copy(Socket from, Socket to, CountDownLatch broken) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
            if (broken.await(RESET_VERDICT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("the other direction was reset");
            }
            to.shutdownOutput();
        } catch (IOException e) {
            broken.countDown();
            reset(from);
            reset(to);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reset(from);
            reset(to);
        }
    }

    private void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException alreadyClosed) {
            // nothing to reset
        }
        close(socket);
    }

    private void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // going away either way
        }
    }

    /** Stops listening and resets every connection it relays. */
    @Override
    public synchronized void close() throws IOException {
        closed = true;
        refuse();
        open.forEach(this::reset);
    }
}

package loomproxy.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that answers a ClientHello with the start of a TLS handshake record, one byte every
 * {@code interval}, forever: each byte arrives inside any per-read timeout, so only a deadline on
 * the whole handshake ends it (toxiproxy's "slicer" at its most patient).
 */
public final class DrippingUpstream implements AutoCloseable {
    /** A TLS 1.2 handshake record header announcing 16 KiB, then ServerHello bytes. */
    private static final byte[] RECORD = {0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00, 0x3f, (byte) 0xfb, 0x03, 0x03};

    private final ServerSocket server;
    private final Duration interval;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger ended = new AtomicInteger();

    public DrippingUpstream(Duration interval) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.interval = interval;
        Thread.ofVirtual().name("dripping upstream").start(this::accept);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                held.add(socket);
                Thread.ofVirtual().start(() -> drip(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void drip(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            for (long i = 0; ; i++) {
                out.write(RECORD[(int) Math.min(i, RECORD.length - 1)]);
                out.flush();
                Thread.sleep(interval);
            }
        } catch (IOException e) {
            ended.incrementAndGet(); // the proxy closed or reset the connection
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public int accepted() {
        return held.size();
    }

    /** Connections the proxy has ended (a write to them failed). */
    public int ended() {
        return ended.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
    }
}

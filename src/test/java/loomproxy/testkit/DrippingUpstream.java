package loomproxy.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that answers a ClientHello with the start of a TLS handshake record, one byte every
 * {@code interval}, forever: each byte arrives inside any per-read timeout, so only a deadline on
 * the whole handshake ends it (toxiproxy's "slicer" at its most patient).
 */
public final class DrippingUpstream implements AutoCloseable {
    /** A TLS 1.2 handshake record header announcing 16 KiB, then ServerHello bytes. */
    private static final byte[] RECORD = {0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00, 0x3f, (byte) 0xfb, 0x03, 0x03};

    private final FaultServer server;
    private final Duration interval;
    private final AtomicInteger ended = new AtomicInteger();

    public DrippingUpstream(Duration interval) throws IOException {
        this.interval = interval;
        this.server = new FaultServer("dripping upstream", FaultServer.loopback(), this::drip);
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
        return server.port();
    }

    public int accepted() {
        return server.accepted();
    }

    /** Connections the proxy has ended (a write to them failed). */
    public int ended() {
        return ended.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

package loomproxy.testkit;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A TLS upstream that crashes in the middle of a reply: after the handshake it sends {@code before},
 * waits for one byte back (the client's word that it has them all, so nothing is lost in flight
 * when the reset comes), and then resets the TCP connection — SO_LINGER 0, no close_notify, no FIN
 * (toxiproxy's "reset_peer" after data). With {@code before} empty it resets as soon as the first byte
 * comes from the proxy: a server that crashes mid-request.
 */
public final class ResetMidTransfer implements AutoCloseable {
    private final FaultServer server;
    private final SSLContext context;
    private final byte[] before;
    private final AtomicInteger resets = new AtomicInteger();

    public ResetMidTransfer(SSLContext context, byte[] before) throws IOException {
        this.context = context;
        this.before = before.clone();
        this.server = new FaultServer("reset mid-transfer", FaultServer.loopback(), this::serve);
    }

    private void serve(Socket tcp) {
        try {
            // Server mode: layering with "consumed" bytes (none) makes a server-side SSLSocket.
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, null, false);
            tls.startHandshake();
            tls.getOutputStream().write(before);
            tls.getOutputStream().flush();
            if (tls.getInputStream().read() >= 0) {
                tcp.setSoLinger(true, 0);
                tcp.close();
                resets.incrementAndGet();
            }
        } catch (IOException e) {
            // the proxy went first
        } finally {
            try {
                tcp.close();
            } catch (IOException alreadyClosed) {
                // nothing left to release
            }
        }
    }

    public int port() {
        return server.port();
    }

    /** Connections reset so far. */
    public int resets() {
        return resets.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

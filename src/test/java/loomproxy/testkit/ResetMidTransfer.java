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
 * comes from the proxy: a server that crashes mid-request. {@link #finWithoutCloseNotify} cuts
 * the stream the other way: a TCP FIN with no close_notify before it (a middlebox, or a server
 * that closes its socket under TLS), which a TLS peer cannot tell from a cut.
 */
public final class ResetMidTransfer implements AutoCloseable {
    private final FaultServer server;
    private final SSLContext context;
    private final byte[] before;
    private final boolean reset;
    private final AtomicInteger resets = new AtomicInteger();

    public ResetMidTransfer(SSLContext context, byte[] before) throws IOException {
        this(context, before, true);
    }

    private ResetMidTransfer(SSLContext context, byte[] before, boolean reset) throws IOException {
        this.context = context;
        this.before = before.clone();
        this.reset = reset;
        this.server = new FaultServer(reset ? "reset mid-transfer" : "FIN without close_notify", FaultServer.loopback(),
                this::serve);
    }

    /** The same, ending with a FIN and no close_notify instead of a reset; {@link #resets} counts those cuts. */
    public static ResetMidTransfer finWithoutCloseNotify(SSLContext context, byte[] before) throws IOException {
        return new ResetMidTransfer(context, before, false);
    }

    private void serve(Socket tcp) {
        try {
            // Server mode: layering with "consumed" bytes (none) makes a server-side SSLSocket.
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, null, false);
            tls.startHandshake();
            tls.getOutputStream().write(before);
            tls.getOutputStream().flush();
            if (tls.getInputStream().read() >= 0) {
                if (reset) {
                    tcp.setSoLinger(true, 0);
                }
                tcp.close(); // the TCP socket under the TLS one: no close_notify
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

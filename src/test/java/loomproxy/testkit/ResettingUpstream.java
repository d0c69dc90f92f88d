package loomproxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A TLS upstream that completes the handshake, reads the first bytes of a connection and then
 * resets it: SO_LINGER 0 on the TCP socket under TLS, so no close_notify comes before the RST. A
 * server that crashes mid-transfer (toxiproxy's "reset_peer").
 */
public final class ResettingUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final SSLSocketFactory tls;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger resets = new AtomicInteger();

    public ResettingUpstream(SSLContext context) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.tls = context.getSocketFactory();
        Thread.ofVirtual().name("resetting upstream").start(this::accept);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                held.add(socket);
                Thread.ofVirtual().name("resetting " + socket.getPort()).start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket tcp) {
        try {
            // Server mode: the factory's layering call with "consumed" bytes (none) makes a server socket.
            SSLSocket socket = (SSLSocket) tls.createSocket(tcp, null, false);
            socket.startHandshake();
            if (socket.getInputStream().read() >= 0) {
                resets.incrementAndGet();
            }
        } catch (IOException e) {
            // the proxy went first; the reset below still releases the socket
        } finally {
            try {
                tcp.setSoLinger(true, 0);
            } catch (IOException alreadyClosed) {
                // nothing left to reset
            }
            try {
                tcp.close();
            } catch (IOException ignored) {
                // closing is all that is left to do
            }
            held.remove(tcp);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections reset after their first bytes arrived. */
    public int resets() {
        return resets.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
    }
}

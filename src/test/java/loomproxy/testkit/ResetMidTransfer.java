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

/**
 * A TLS upstream that crashes in the middle of a reply: after the handshake it sends {@code before},
 * waits for one byte back (the client's word that it has them all, so nothing is lost in flight
 * when the reset comes), and then resets the TCP connection — SO_LINGER 0, no close_notify, no FIN
 * (toxiproxy's "reset_peer" after data).
 */
public final class ResetMidTransfer implements AutoCloseable {
    private final ServerSocket server;
    private final SSLContext context;
    private final byte[] before;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger resets = new AtomicInteger();

    public ResetMidTransfer(SSLContext context, byte[] before) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.context = context;
        this.before = before.clone();
        Thread.ofVirtual().name("reset mid-transfer").start(this::accept);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket tcp = server.accept();
                held.add(tcp);
                Thread.ofVirtual().start(() -> serve(tcp));
            } catch (IOException e) {
                return;
            }
        }
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
        return server.getLocalPort();
    }

    /** Connections reset so far. */
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

package loomproxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS upstream that completes every handshake and then neither reads nor writes: the fault that
 * blocks a proxy's writer once the socket buffers are full (toxiproxy's "timeout" toxic, minus the
 * close). Connections stay open until {@link #close()}.
 */
public final class StalledUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    public StalledUpstream(SSLContext context) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        socket.setNeedClientAuth(false);
        this.server = socket;
        Thread.ofVirtual().name("stalled upstream").start(this::accept);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                SSLSocket socket = (SSLSocket) server.accept();
                held.add(socket);
                // Small buffers so the proxy's writes block after little data.
                socket.setReceiveBufferSize(4096);
                Thread.ofVirtual().start(() -> {
                    try {
                        socket.startHandshake();
                    } catch (IOException e) {
                        // the proxy gave up; nothing to hold
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far (handshaken or not). */
    public int accepted() {
        return held.size();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.setSoLinger(true, 0);
            s.close();
        }
    }
}

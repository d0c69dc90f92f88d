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
    private final FaultServer server;

    public StalledUpstream(SSLContext context) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        socket.setNeedClientAuth(false);
        this.server = new FaultServer("stalled upstream", socket, StalledUpstream::handshakeThenStall);
    }

    /** Completes the handshake, then holds the connection without reading or writing. */
    private static void handshakeThenStall(Socket connection) throws IOException {
        // Small buffers so the proxy's writes block after little data.
        connection.setReceiveBufferSize(4096);
        ((SSLSocket) connection).startHandshake();
    }

    public int port() {
        return server.port();
    }

    /** Connections accepted so far (handshaken or not). */
    public int accepted() {
        return server.accepted();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

package loomproxy.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A TLS upstream that, after the handshake, sends as fast as it can and never stops on its own —
 * until a write fails because the proxy closed or reset the connection. {@link #ended} counts those.
 */
public final class FloodingUpstream implements AutoCloseable {
    private final FaultServer server;
    private final SSLContext context;
    private final AtomicInteger ended = new AtomicInteger();

    public FloodingUpstream(SSLContext context) throws IOException {
        this.context = context;
        this.server = new FaultServer("flooding upstream", FaultServer.loopback(), this::serve);
    }

    private void serve(Socket tcp) throws IOException {
        try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, null, false)) {
            tls.startHandshake();
            OutputStream out = tls.getOutputStream();
            byte[] chunk = new byte[16 * 1024];
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            ended.incrementAndGet(); // the proxy let the connection go
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    /** Connections whose flood ended because the other side went away. */
    public int ended() {
        return ended.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

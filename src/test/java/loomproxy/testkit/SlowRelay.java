package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;

/**
 * A relay on loopback to a real upstream that passes every byte on, both ways, at no more than
 * {@code bytesPerSecond} (toxiproxy's "bandwidth" toxic): a slow link, not a broken one, so every
 * byte arrives and only a deadline too short for the link would end a session.
 */
public final class SlowRelay implements AutoCloseable {
    private static final int CHUNK = 1024;

    private final FaultServer server;
    private final int targetPort;
    private final long nanosPerChunk;

    public SlowRelay(int targetPort, int bytesPerSecond) throws IOException {
        this.targetPort = targetPort;
        this.nanosPerChunk = 1_000_000_000L * CHUNK / bytesPerSecond;
        this.server = new FaultServer("slow relay", FaultServer.loopback(), this::relay);
    }

    private void relay(Socket client) throws IOException {
        Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        server.hold(target);
        Thread.ofVirtual().start(() -> copy(target, client));
        copy(client, target);
    }

    /** One direction at the rate; an end on one side (EOF or reset) closes both, passing it on. */
    private void copy(Socket from, Socket to) {
        byte[] buffer = new byte[CHUNK];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                out.flush();
                LockSupport.parkNanos(nanosPerChunk * n / CHUNK);
            }
        } catch (IOException e) {
            // either side closed or reset: closing both (try-with-resources) passes the end on
        }
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

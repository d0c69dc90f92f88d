package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay on loopback that passes every byte on, both ways, in slices of at most
 * {@code sliceBytes}, each sent on its own and followed by a short pause, so the receiver's reads
 * see TLS records cut anywhere: through the 5-byte header, through the body. Toxiproxy's "slicer"
 * toxic does the same where Docker runs; this is the route that runs everywhere.
 */
public final class SlicingRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final int sliceBytes;

    private SlicingRelay(ServerSocket server, int targetPort, int sliceBytes) {
        this.server = server;
        this.targetPort = targetPort;
        this.sliceBytes = sliceBytes;
        Thread.ofPlatform().daemon().name("slicing relay " + server.getLocalPort()).start(this::acceptLoop);
    }

    public static SlicingRelay to(int targetPort, int sliceBytes) throws IOException {
        return new SlicingRelay(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort, sliceBytes);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                target.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> relay(client, target));
                Thread.ofVirtual().start(() -> relay(target, client));
            } catch (IOException e) {
                // the relay was closed, or the target refused: the client sees its connection end
            }
        }
    }

    private void relay(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int off = 0; off < n; off += sliceBytes) {
                    out.write(buffer, off, Math.min(sliceBytes, n - off));
                    out.flush();
                    LockSupport.parkNanos(20_000); // one segment per slice, not one per read
                }
            }
        } catch (IOException e) {
            // either side closed or reset: closing both (try-with-resources) passes the end on
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

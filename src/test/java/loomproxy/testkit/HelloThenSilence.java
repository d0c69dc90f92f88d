package loomproxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay in front of a real TLS server that passes the ClientHello on and the server's first
 * record back — a genuine ServerHello — and then holds every further byte of the server's, with the
 * connection open: a handshake that starts well and then stalls (toxiproxy's "limit_data" without
 * the close). Only a deadline on the whole handshake ends it.
 */
public final class HelloThenSilence implements AutoCloseable {
    private static final int RECORD_HEADER = 5;

    private final FaultServer server;
    private final int targetPort;
    private final AtomicInteger hellos = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();

    public HelloThenSilence(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new FaultServer("hello-then-silence", FaultServer.loopback(), this::relay);
    }

    /** One client: a connection to the real server, and a thread each way. */
    private void relay(Socket client) throws IOException {
        Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        server.hold(target);
        Thread.ofVirtual().start(() -> forward(client, target));
        firstRecordOnly(target, client);
    }

    /** The client's bytes on to the server (dropped once it is gone) until the client closes or resets. */
    private void forward(Socket client, Socket target) {
        byte[] buffer = new byte[4096];
        boolean targetGone = false;
        try {
            InputStream in = client.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (!targetGone) {
                    try {
                        target.getOutputStream().write(buffer, 0, n);
                    } catch (IOException e) {
                        targetGone = true; // the server gave up; the client's connection stays open
                    }
                }
            }
        } catch (IOException e) {
            // reset by the client
        } finally {
            ended.incrementAndGet();
        }
    }

    private void firstRecordOnly(Socket target, Socket client) {
        try {
            InputStream in = target.getInputStream();
            byte[] header = Bytes.readExactly(in, RECORD_HEADER);
            int length = (header[3] & 0xFF) << 8 | (header[4] & 0xFF);
            OutputStream out = client.getOutputStream();
            out.write(header);
            out.write(Bytes.readExactly(in, length));
            out.flush();
            hellos.incrementAndGet();
            // Everything else the server sends (its encrypted handshake, or the rest of a TLS 1.2
            // flight) is read and dropped: the client waits for it in vain.
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the server or the client went away
        }
    }

    public int port() {
        return server.port();
    }

    /** ServerHello records passed on so far. */
    public int hellos() {
        return hellos.get();
    }

    /** Client connections that have ended: the client (the proxy) closed or reset them. */
    public int ended() {
        return ended.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

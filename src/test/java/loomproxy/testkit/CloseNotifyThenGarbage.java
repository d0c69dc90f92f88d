package loomproxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A TLS upstream that speaks first — {@code reply} — then sends close_notify and after it, straight
 * onto the TCP connection, {@code after}: bytes a TLS peer must never act on (RFC 8446 §6.1: "any
 * data received after a closure alert has been received MUST be ignored"). Then it keeps the
 * connection open, reading, until the proxy closes it.
 */
public final class CloseNotifyThenGarbage implements AutoCloseable {
    private static final byte APPLICATION_DATA = 0x17;

    private final ServerSocket server;
    private final SSLContext context;
    private final String protocol;
    private final byte[] reply;
    private final byte[] after;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();

    /** @param protocol the one TLS version to speak, e.g. {@code TLSv1.3} */
    public CloseNotifyThenGarbage(SSLContext context, String protocol, byte[] reply, byte[] after) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.context = context;
        this.protocol = protocol;
        this.reply = reply.clone();
        this.after = after.clone();
        Thread.ofVirtual().name("close_notify then garbage").start(this::accept);
    }

    /**
     * What looks like more application data: a TLS 1.2/1.3 application_data record header and a
     * seeded random body, which no key can decrypt.
     */
    public static byte[] applicationRecord(int bodySize, long seed) {
        byte[] record = new byte[5 + bodySize];
        new Random(seed).nextBytes(record);
        record[0] = APPLICATION_DATA;
        record[1] = 0x03;
        record[2] = 0x03;
        record[3] = (byte) (bodySize >>> 8);
        record[4] = (byte) bodySize;
        return record;
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
        try (tcp) {
            // Server mode: layering with "consumed" bytes (none) makes a server-side SSLSocket.
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, null, false);
            tls.setEnabledProtocols(new String[] {protocol});
            tls.startHandshake();
            tls.getOutputStream().write(reply);
            tls.getOutputStream().flush();
            tls.shutdownOutput(); // close_notify
            tcp.getOutputStream().write(after);
            tcp.getOutputStream().flush();
            sent.incrementAndGet();
            byte[] sink = new byte[4096];
            while (tls.getInputStream().read(sink) >= 0) {
                // whatever the proxy still sends, until its close_notify or FIN
            }
        } catch (IOException e) {
            // the proxy reset or closed the connection
        } finally {
            ended.incrementAndGet();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections that got the reply, the close_notify and the bytes after it. */
    public int sent() {
        return sent.get();
    }

    /** Connections that are over. */
    public int ended() {
        return ended.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
    }
}

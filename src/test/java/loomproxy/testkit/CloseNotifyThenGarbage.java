package loomproxy.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A TLS upstream that speaks first — {@code reply} — then sends close_notify and after it
 * {@code after}: bytes a TLS peer must never act on (RFC 8446 §6.1: "any data received after a
 * closure alert has been received MUST be ignored"). An {@link SSLEngine} makes the records, so the
 * reply, the close_notify and the bytes after it leave in one write and arrive together: the peer
 * has them all before it can act on the close_notify. Then the connection stays open, read and
 * dropped, until the proxy closes it.
 */
public final class CloseNotifyThenGarbage implements AutoCloseable {
    private static final byte APPLICATION_DATA = 0x17;

    private final FaultServer server;
    private final SSLContext context;
    private final String protocol;
    private final byte[] reply;
    private final byte[] after;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();

    /** @param protocol the one TLS version to speak, e.g. {@code TLSv1.3} */
    public CloseNotifyThenGarbage(SSLContext context, String protocol, byte[] reply, byte[] after) throws IOException {
        this.context = context;
        this.protocol = protocol;
        this.reply = reply.clone();
        this.after = after.clone();
        this.server = new FaultServer("close_notify then garbage", FaultServer.loopback(), this::serve);
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

    private void serve(Socket tcp) {
        try (tcp) {
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(false);
            engine.setEnabledProtocols(new String[] {protocol});
            InputStream in = tcp.getInputStream();
            OutputStream out = tcp.getOutputStream();
            handshake(engine, in, out);
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            wrap(engine, ByteBuffer.wrap(reply), burst);
            engine.closeOutbound();
            wrap(engine, ByteBuffer.allocate(0), burst); // close_notify
            burst.write(after);
            out.write(burst.toByteArray()); // one write: all of it arrives together
            out.flush();
            sent.incrementAndGet();
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the proxy reset or closed the connection
        } finally {
            ended.incrementAndGet();
        }
    }

    /** A server handshake over a blocking socket; TLS 1.3 tickets sent after it are written too. */
    private static void handshake(SSLEngine engine, InputStream in, OutputStream out) throws IOException {
        ByteBuffer netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        ByteBuffer appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        engine.beginHandshake();
        byte[] chunk = new byte[netIn.capacity()];
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            switch (status) {
                case NEED_WRAP -> {
                    ByteArrayOutputStream records = new ByteArrayOutputStream();
                    wrap(engine, ByteBuffer.allocate(0), records);
                    out.write(records.toByteArray());
                    out.flush();
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    netIn.flip();
                    SSLEngineResult result = engine.unwrap(netIn, appIn);
                    netIn.compact();
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        int n = in.read(chunk, 0, netIn.remaining());
                        if (n < 0) {
                            throw new SSLException("EOF during the handshake");
                        }
                        netIn.put(chunk, 0, n);
                    }
                }
                case NEED_TASK -> {
                    for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                        task.run();
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
            }
        }
    }

    /** Wraps all of {@code data} (or, empty, whatever the engine has to send) into records. */
    private static void wrap(SSLEngine engine, ByteBuffer data, ByteArrayOutputStream records) throws SSLException {
        ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        do {
            net.clear();
            SSLEngineResult result = engine.wrap(data, net);
            if (result.getStatus() != SSLEngineResult.Status.OK && result.getStatus() != SSLEngineResult.Status.CLOSED) {
                throw new SSLException("wrap: " + result);
            }
            records.write(net.array(), 0, net.position());
        } while (data.hasRemaining());
    }

    public int port() {
        return server.port();
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
    }
}

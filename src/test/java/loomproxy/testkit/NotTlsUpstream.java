package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that is not a TLS server at all: it answers every connection with fixed bytes (an
 * SSH banner, an HTTP error, noise) and then reads and drops whatever comes until the other side
 * closes, so what the client reads is always those bytes and never a reset racing them. The
 * misconfiguration "proxy_ssl on in front of the wrong port".
 */
public final class NotTlsUpstream implements AutoCloseable {
    /** What an OpenSSH server sends first, before reading anything (RFC 4253 §4.2). */
    public static final byte[] SSH_BANNER = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".getBytes(StandardCharsets.US_ASCII);
    /** What an HTTP server answers to a ClientHello it takes for a request. */
    public static final byte[] HTTP_400 = ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
            + "Connection: close\r\n\r\nBad Request").getBytes(StandardCharsets.US_ASCII);

    private final FaultServer server;
    private final byte[] answer;
    private final AtomicInteger ended = new AtomicInteger();

    public NotTlsUpstream(byte[] answer) throws IOException {
        this.answer = answer.clone();
        this.server = new FaultServer("not-tls upstream", FaultServer.loopback(), this::serve);
    }

    /**
     * {@code size} seeded random bytes whose first byte is no TLS record type (20-24) and has the
     * high bit clear (no SSLv2 header), so a TLS client can only call them "not TLS".
     */
    public static byte[] noise(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        bytes[0] = 0x7a;
        return bytes;
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.getOutputStream().write(answer);
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[4096];
            while (in.read(sink) >= 0) {
                // a TLS client's ClientHello and whatever follows: not understood, dropped
            }
        } catch (IOException e) {
            // the proxy reset the connection: it is over either way
        } finally {
            ended.incrementAndGet();
        }
    }

    public int port() {
        return server.port();
    }

    public int accepted() {
        return server.accepted();
    }

    /** Connections the proxy has closed or reset. */
    public int ended() {
        return ended.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

package loomproxy.observe;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the access log says about one session: filled in by the session as it goes (each upstream
 * try appends a {@link Try}), read once when it ends. Byte counters are written by the pumps and
 * read only after the session has joined them.
 */
public final class SessionFacts {
    /** One attempt at an upstream server; NGINX joins the values of several with ", ". */
    public static final class Try {
        final String address;
        long connectNanos = -1;
        long sessionNanos = -1;
        long bytesSent;
        long bytesReceived;

        Try(String address) {
            this.address = address;
        }

        public void connected(long nanos) {
            connectNanos = nanos;
        }

        /** The PROXY protocol header counts in $upstream_bytes_sent, as in NGINX. */
        public void headerSent(long bytes) {
            bytesSent += bytes;
        }

        public void ended(long nanos, long sent, long received) {
            sessionNanos = nanos;
            bytesSent += sent;
            bytesReceived = received;
        }
    }

    final long connection;
    final InetSocketAddress remote;
    final InetSocketAddress local;
    final Instant start;
    final long startNanos;
    final List<Try> tries = new ArrayList<>();
    int status = 200;
    long bytesSent;
    long bytesReceived;
    long endNanos;
    String sslProtocol;
    String sslCipher;
    String sslName;
    String sslVerify;
    boolean sslReused;

    public SessionFacts(long connection, InetSocketAddress remote, InetSocketAddress local) {
        this.connection = connection;
        this.remote = remote;
        this.local = local;
        this.start = Instant.now();
        this.startNanos = System.nanoTime();
    }

    public long connection() {
        return connection;
    }

    public Try attempt(String address) {
        Try t = new Try(address);
        tries.add(t);
        return t;
    }

    public void status(int status) {
        this.status = status;
    }

    /** $status; read once the session has ended. */
    public int status() {
        return status;
    }

    /** $bytes_sent: to the client. */
    public long bytesSent() {
        return bytesSent;
    }

    /** $bytes_received: from the client. */
    public long bytesReceived() {
        return bytesReceived;
    }

    public void clientBytes(long sentToClient, long receivedFromClient) {
        this.bytesSent = sentToClient;
        this.bytesReceived = receivedFromClient;
    }

    public void tls(String protocol, String cipher, String name, boolean reused) {
        this.sslProtocol = protocol;
        this.sslCipher = cipher;
        this.sslName = name;
        this.sslReused = reused;
    }

    /** "ok" or the verification/handshake failure reason of the last try ($upstream_ssl_verify). */
    public void verify(String outcome) {
        this.sslVerify = outcome;
    }

    public void end() {
        endNanos = System.nanoTime();
    }
}

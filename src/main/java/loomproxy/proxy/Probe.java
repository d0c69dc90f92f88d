package loomproxy.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import loomproxy.config.HealthCheck;
import loomproxy.tls.FailureReasons;
import loomproxy.tls.HandshakeFailure;
import loomproxy.tls.UpstreamTls;
import loomproxy.upstream.Peer;

/**
 * One health check probe of one upstream server (SPEC §11), NGINX Plus's {@code health_check} with
 * a {@code match}: a TCP connect; with proxy_ssl on, a full handshake with the block's own TLS
 * (its client certificate, verification and name; {@link UpstreamTls#probe}); then {@code send}
 * and a reply matching {@code expect}. Every stage has {@code timeout} (default
 * proxy_connect_timeout) — the connect as a connect timeout, the handshake and the exchange each
 * as a {@link Deadlines deadline} that resets the connection — so a probe never waits on a peer
 * without a bound. It touches nothing the sessions use: no pick, no max_fails, no access log, no
 * session cache.
 */
final class Probe {
    /** {@code result}: {@code ok}, or the reason of loomproxy_health_checks_total; {@code message}: why, for the log. */
    record Result(String result, String message) {
        static final Result OK = new Result("ok", "ok");

        boolean ok() {
            return this == OK;
        }
    }

    /**
     * A TLS 1.3 server checks our certificate after our Finished and says no in an alert that only a
     * read sees (RFC 8446 §4.4.2.4); without {@code send}, a probe reads this long after the handshake.
     */
    static final Duration REFUSAL_WAIT = Duration.ofMillis(250);
    /** Closing the TLS connection in order (close_notify) may take this long before it is reset. */
    private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(3);
    /** How much of a reply is kept to match {@code expect}: a greeting or a status line, not a body. */
    static final int MAX_REPLY = 16 * 1024;

    private final Block block;
    private final HealthCheck check;
    private final Deadlines deadlines;
    private final Duration timeout;

    Probe(Block block, HealthCheck check, Deadlines deadlines) {
        this.block = block;
        this.check = check;
        this.deadlines = deadlines;
        this.timeout = check.timeoutOr(block.config().connectTimeout());
    }

    /** @param onSocket told of the TCP socket before it connects, so a stopped check can reset it */
    Result run(Peer peer, Consumer<Socket> onSocket) {
        Socket plain = new Socket();
        onSocket.accept(plain);
        try {
            InetSocketAddress address = peer.socketAddress(check.port().orElse(peer.address().port()));
            if (address.isUnresolved()) {
                throw new UnknownHostException(peer.address().host());
            }
            plain.setTcpNoDelay(true);
            plain.connect(address, Math.toIntExact(Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        } catch (IOException e) {
            Sockets.reset(plain);
            String reason = FailureReason.connect(e);
            return new Result(reason, "connect failed: " + reason + ": " + UpstreamConnector.connectReason(e, timeout));
        }
        if (block.tls().isEmpty()) {
            try {
                return exchange(plain, plain, null);
            } finally {
                Sockets.closeQuietly(plain);
            }
        }
        Deadlines.Deadline handshake = deadlines.arm(plain, timeout.toNanos());
        UpstreamTls.Established tls;
        try {
            tls = block.tls().get().probe(plain, peer.address(), peer.host(), handshake::passed);
        } catch (HandshakeFailure e) {
            handshake.disarm();
            Sockets.reset(plain);
            return handshakeFailure(e);
        }
        if (!handshake.disarm()) {
            Sockets.reset(plain);
            return handshakeFailure(HandshakeFailure.timeout());
        }
        try {
            // Only a TLS 1.3 server judges our certificate after the handshake (TLS 1.2's verdict is in it).
            return exchange(tls.socket(), plain, "TLSv1.3".equals(tls.protocol()) ? tls.certificateRequested() : null);
        } finally {
            close(tls.socket(), plain);
        }
    }

    /** {@code send}, then a reply matching {@code expect}, within one deadline; over TLS without {@code send}, the refusal wait. */
    private Result exchange(Socket socket, Socket plain, Boolean certificateRequested) {
        boolean tls = socket != plain;
        if (check.send().isEmpty() && check.expect().isEmpty() && !tls) {
            return Result.OK;
        }
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        Deadlines.Deadline deadline = deadlines.arm(plain, timeout.toNanos());
        try {
            if (check.send().isPresent()) {
                socket.getOutputStream().write(check.send().get().getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
            }
            Result result = check.expect().isPresent() ? expect(socket.getInputStream(), check.expect().get(), reply)
                    : check.send().isEmpty() ? refusal(socket, refusalWait(), certificateRequested) : Result.OK;
            return deadline.disarm() ? result : timedOut(reply);
        } catch (IOException e) {
            return deadline.disarm() ? exchangeFailure(e) : timedOut(reply);
        }
    }

    /** Reads into {@code reply} until it matches, the server closes, or {@link #MAX_REPLY} bytes came without a match. */
    private static Result expect(InputStream in, HealthCheck.Expect expect, ByteArrayOutputStream reply) throws IOException {
        byte[] buffer = new byte[4096];
        while (reply.size() < MAX_REPLY) {
            int n = read(in, buffer, Math.min(buffer.length, MAX_REPLY - reply.size()));
            if (n < 0) {
                break;
            }
            reply.write(buffer, 0, n);
            if (expect.matches(reply.toString(StandardCharsets.UTF_8))) {
                return Result.OK;
            }
        }
        return mismatch(expect, reply);
    }

    /**
     * A read where a TLS server's close without close_notify is the end of its reply: a session
     * must not pass such a stream on as whole, but a probe judges only what it got (a reply that
     * matched was already taken; one that did not is a mismatch, not a connection error).
     */
    private static int read(InputStream in, byte[] buffer, int length) throws IOException {
        try {
            return in.read(buffer, 0, length);
        } catch (IOException e) {
            if (FailureReason.isTruncation(e)) {
                return -1;
            }
            throw e;
        }
    }

    private static Result mismatch(HealthCheck.Expect expect, ByteArrayOutputStream reply) {
        String got = reply.toString(StandardCharsets.UTF_8);
        return new Result("expect", "expect: reply does not match expect=" + expect + ": \""
                + (got.length() > 64 ? got.substring(0, 64) + "..." : got) + "\"");
    }

    /**
     * A TLS 1.3 server's verdict on our certificate, if it sends one within {@link #REFUSAL_WAIT};
     * silence is fine. An alert is thrown as one; NGINX sends none and just closes (close_notify),
     * which from a server that asked for a certificate is that refusal.
     *
     * @param certificateRequested null when the server did not ask; else whether we had one to send
     */
    private static Result refusal(Socket socket, Duration wait, Boolean certificateRequested) throws IOException {
        socket.setSoTimeout(Math.toIntExact(Math.max(1, wait.toMillis())));
        try {
            if (read(socket.getInputStream(), new byte[1], 1) < 0 && certificateRequested != null) {
                return new Result("client_cert_rejected", "handshake failed: client_cert_rejected: the upstream asked for a"
                        + " client certificate and closed the connection right after the handshake"
                        + (certificateRequested ? "; it may have refused proxy_ssl_certificate (its error log says why)"
                                : "; proxy_ssl_certificate is not set: set it and proxy_ssl_certificate_key"));
            }
        } catch (SocketTimeoutException quiet) {
            // nothing said within the wait: the server kept the connection, so it took our certificate
        }
        return Result.OK;
    }

    /** {@link #REFUSAL_WAIT}, or half the deadline when that is shorter, so the wait itself never times out. */
    private Duration refusalWait() {
        Duration half = timeout.dividedBy(2);
        return half.compareTo(REFUSAL_WAIT) < 0 ? half : REFUSAL_WAIT;
    }

    private Result exchangeFailure(IOException e) {
        String alert = FailureReasons.alertReason(e);
        if (alert != null) {
            return new Result(alert, "handshake failed: " + alert + ": " + e.getMessage());
        }
        if (FailureReason.isReset(e)) {
            return new Result("reset", "reset: the upstream reset the connection" + (check.send().isPresent() ? " after send" : ""));
        }
        return new Result("connect_error", "connect_error: reading the reply: " + e);
    }

    /**
     * The deadline passed: a reply that came but did not match is a mismatch (a server that keeps the
     * connection open never ends its reply); no reply at all is a timeout.
     */
    private Result timedOut(ByteArrayOutputStream reply) {
        if (reply.size() > 0 && check.expect().isPresent()) {
            return mismatch(check.expect().get(), reply);
        }
        return new Result("timeout", "timeout: " + check.expect().map(x -> "no reply matching expect=" + x).orElse("no reply")
                + " within " + timeout.toMillis() + "ms (health_check timeout)");
    }

    private Result handshakeFailure(HandshakeFailure e) {
        String reason = e.reason();
        String message = reason.equals("handshake_timeout")
                ? "handshake_timeout: no TLS handshake within " + timeout.toMillis() + "ms (health_check timeout)"
                : e.getMessage();
        return new Result(reason, (e.verification() ? "verification failed: " : "handshake failed: ") + message);
    }

    /** close_notify within {@link #CLOSE_DEADLINE}, else a reset: a server that stopped reading cannot hold a probe. */
    private void close(Socket tls, Socket plain) {
        Deadlines.Deadline deadline = deadlines.arm(plain, CLOSE_DEADLINE.toNanos());
        try {
            tls.close();
        } catch (IOException e) {
            // the connection is going away either way
        } finally {
            deadline.disarm();
            Sockets.closeQuietly(plain);
        }
    }
}

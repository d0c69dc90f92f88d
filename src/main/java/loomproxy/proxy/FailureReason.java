package loomproxy.proxy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import javax.net.ssl.SSLProtocolException;
import loomproxy.tls.HandshakeFailure;

/**
 * The {@code reason} label of {@code loomproxy_upstream_failures_total} (SPEC §10): SPEC §4's
 * handshake and verification reasons as the log names them, plus {@code connect_refused},
 * {@code connect_timeout}, {@code connect_error}, {@code reset} (the upstream reset the
 * connection; during the handshake HandshakeFailure names it so itself) and {@code truncated}.
 */
final class FailureReason {
    private FailureReason() {}

    static String connect(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "connect_timeout";
        }
        if (e instanceof ConnectException && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("refused")) {
            return "connect_refused";
        }
        return isReset(e) ? "reset" : "connect_error";
    }

    /**
     * A TLS upstream's TCP connection ended without close_notify (JSSE with requireCloseNotify, set
     * by main: cli/JvmDefaults): what came before may be all of it or a cut stream, and a peer
     * cannot tell (RFC 8446 §6.1), so the client is not given it as whole.
     */
    static boolean isTruncation(Throwable failure) {
        return failure instanceof SSLProtocolException
                && String.valueOf(failure.getMessage()).contains("Remote host terminated the connection");
    }

    /** ECONNRESET somewhere in the chain: the JDK reports it as a SocketException "Connection reset". */
    static boolean isReset(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketException && String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("reset")) {
                return true;
            }
        }
        return false;
    }
}

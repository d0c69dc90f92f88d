package loomproxy.tls;

import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import loomproxy.tls.trust.VerificationException;

/**
 * Turns what JSSE throws during a client handshake into one stable reason. JSSE reports the peer's
 * alert only in the message text ("Received fatal alert: protocol_version"), so the alert names of
 * RFC 8446 §6.2 are matched there; our own verifier's verdict travels as the cause.
 */
public final class FailureReasons {
    private FailureReasons() {
    }

    /**
     * The reason for a TLS alert that arrives after the handshake: in TLS 1.3 the server checks our
     * certificate after the client has finished (RFC 8446 §4.4.2.4), so its refusal surfaces on the
     * first read. Null when the failure is not a TLS alert we can name.
     */
    public static String alertReason(Throwable failure) {
        if (!(failure instanceof javax.net.ssl.SSLException) || failure.getMessage() == null
                || !failure.getMessage().contains("alert")) {
            return null;
        }
        String reason = reasonOf(failure.getMessage().toLowerCase(Locale.ROOT), failure);
        return reason.equals("handshake") ? null : reason;
    }

    /**
     * @param certificateRequest null when the server did not ask for a client certificate; else
     *                           whether proxy_ssl_certificate gave one to send
     */
    static HandshakeFailure classify(Throwable failure, Boolean certificateRequest) {
        VerificationException refused = find(failure, VerificationException.class);
        if (refused != null) {
            return new HandshakeFailure(refused.reason(), refused.getMessage(), true, failure);
        }
        if (find(failure, SocketTimeoutException.class) != null) {
            return new HandshakeFailure("handshake_timeout", "handshake_timeout: no TLS handshake within proxy_connect_timeout",
                    false, failure);
        }
        String text = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
        String reason = reasonOf(text, failure);
        // A server that asked for a client certificate had already agreed on protocol and cipher, so a
        // handshake_failure alert or a torn connection after that is its verdict on our certificate.
        if (certificateRequest != null && (reason.equals("cipher") || reason.equals("handshake")
                || reason.equals("client_cert_rejected"))) {
            String why = certificateRequest ? "the upstream refused proxy_ssl_certificate"
                    : "the upstream asked for a client certificate and proxy_ssl_certificate is not set";
            return new HandshakeFailure("client_cert_rejected", "client_cert_rejected: " + why + " ("
                    + failure.getMessage() + ")", false, failure);
        }
        return new HandshakeFailure(reason, reason + ": " + failure.getMessage(), false, failure);
    }

    private static String reasonOf(String text, Throwable failure) {
        if (text.contains("unsupported or unrecognized ssl message") || text.contains("plaintext connection")) {
            return "not_tls";
        }
        if (text.contains("protocol_version") || text.contains("no appropriate protocol")
                || text.contains("protocol is disabled") || text.contains("server chose")) {
            return "protocol";
        }
        if (text.contains("certificate_required") || text.contains("bad_certificate")
                || text.contains("unknown_ca") || text.contains("access_denied")
                || text.contains("certificate_unknown") || text.contains("unsupported_certificate")) {
            return "client_cert_rejected";
        }
        if (text.contains("handshake_failure") || text.contains("insufficient_security")
                || text.contains("no cipher suites in common") || text.contains("illegal_parameter")) {
            return "cipher";
        }
        if (failure instanceof EOFException || find(failure, EOFException.class) != null
                || text.contains("remote host terminated") || failure instanceof SocketException) {
            return "handshake";
        }
        return "handshake";
    }

    static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}

package loomproxy.tls;

import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import loomproxy.tls.trust.VerificationException;

/**
 * Turns what JSSE throws during a client handshake into one stable reason. JSSE reports the peer's
 * alert only in the message text ("Received fatal alert: protocol_version"), so the alert names of
 * RFC 8446 §6.2 are matched there; our own verifier's verdict travels as the cause.
 */
public final class FailureReasons {
    /**
     * JSSE's own bounds on what a server may send, checked while the message is read, before any
     * verification: the chain length in sun.security.ssl.CertificateMessage, the message size in
     * SSLSocketInputRecord. Only the message text tells them apart (SSLProtocolException both).
     */
    private static final Pattern CHAIN_TOO_LONG =
            Pattern.compile("certificate chain length \\(\\d+\\) exceeds the maximum allowed length \\((\\d+)\\)");
    private static final Pattern MESSAGE_TOO_LARGE =
            Pattern.compile("size of the handshake message \\((\\d+)\\) exceeds the maximum allowed size \\((\\d+)\\)");

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
        HandshakeFailure limit = overLimit(failure);
        if (limit != null) {
            return limit;
        }
        String text = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
        String reason = reasonOf(text, failure);
        if (reason.equals("handshake") && reset(failure)) {
            reason = "reset"; // the metrics' word for it too, rather than the catch-all
        }
        // A server that asked for a client certificate had already agreed on protocol and cipher, so a
        // handshake_failure alert or a torn connection after that is its verdict on our certificate.
        if (certificateRequest != null && (reason.equals("cipher") || reason.equals("handshake")
                || reason.equals("reset") || reason.equals("client_cert_rejected"))) {
            String why = certificateRequest ? "the upstream refused proxy_ssl_certificate"
                    : "the upstream asked for a client certificate and proxy_ssl_certificate is not set";
            return new HandshakeFailure("client_cert_rejected", "client_cert_rejected: " + why + " ("
                    + failure.getMessage() + ")", false, failure);
        }
        // A handshake_failure alert before any certificate says nothing in common was offered: the
        // suites, or (TLS 1.3) the key-exchange groups; the alert cannot tell which.
        String hint = reason.equals("cipher") ? " (no cipher suite or key-exchange group in common: compare"
                + " proxy_ssl_ciphers and proxy_ssl_conf_command Ciphersuites/Groups with what the upstream accepts)" : "";
        return new HandshakeFailure(reason, reason + ": " + failure.getMessage() + hint, false, failure);
    }

    /**
     * A server that sent more than JSSE takes in: a chain longer than
     * jdk.tls.client.maxInboundCertificateChainLength (default 10) is the JDK's own depth check, so
     * it is reported as {@code depth}, a verdict on the certificates (JSSE says only "chain length
     * (11)", the count where it stopped reading); a handshake message over
     * jdk.tls.maxHandshakeMessageSize (default 32768) stays {@code handshake}, as it need not be
     * the Certificate. Either way the message names the system property that sets the limit.
     */
    private static HandshakeFailure overLimit(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        Matcher chain = CHAIN_TOO_LONG.matcher(message);
        if (chain.find()) {
            return new HandshakeFailure("depth", "depth: the upstream sent more certificates than the JDK takes (at most "
                    + chain.group(1) + ", jdk.tls.client.maxInboundCertificateChainLength)", true, failure);
        }
        Matcher size = MESSAGE_TOO_LARGE.matcher(message);
        if (size.find()) {
            return new HandshakeFailure("handshake", "handshake: the upstream sent a handshake message of " + size.group(1)
                    + " bytes, more than the JDK takes (at most " + size.group(2) + ", jdk.tls.maxHandshakeMessageSize)",
                    false, failure);
        }
        return null;
    }

    /** ECONNRESET in the chain: the JDK says "Connection reset" in a SocketException. */
    private static boolean reset(Throwable failure) {
        SocketException socket = find(failure, SocketException.class);
        return socket != null && String.valueOf(socket.getMessage()).toLowerCase(Locale.ROOT).contains("reset");
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

package loomproxy.tls;

import java.io.IOException;

/**
 * A TLS handshake with an upstream server that did not complete, with one short stable reason for
 * the log and {@code $upstream_ssl_verify} (SPEC §4): a verification reason ({@code untrusted}, {@code depth}, ...), or {@code protocol},
 * {@code cipher}, {@code client_cert_rejected}, {@code handshake_timeout}, {@code not_tls},
 * {@code handshake}.
 */
public final class HandshakeFailure extends IOException {
    private final String reason;
    private final boolean verification;
    private final boolean retryAtOnce;

    HandshakeFailure(String reason, String message, boolean verification, Throwable cause) {
        this(reason, message, verification, cause, false);
    }

    private HandshakeFailure(String reason, String message, boolean verification, Throwable cause, boolean retryAtOnce) {
        super(message, cause);
        this.reason = reason;
        this.verification = verification;
        this.retryAtOnce = retryAtOnce;
    }

    /** The caller's deadline for the whole handshake (proxy_connect_timeout) passed. */
    public static HandshakeFailure timeout() {
        return new HandshakeFailure("handshake_timeout",
                "handshake_timeout: no TLS handshake within proxy_connect_timeout", false, null);
    }

    /** The same failure, marked as one a new connection offering JSSE's default groups may not meet. */
    HandshakeFailure retryAtOnce() {
        return new HandshakeFailure(reason, getMessage(), verification, getCause(), true);
    }

    /**
     * True when the handshake offered one key share ({@link KeyShares}) and failed in a way that may
     * be the server's answer to it: the server now gets the default offer, and the session should
     * connect to it again at once, not count a failure or move on to the next server.
     */
    public boolean retryWithDefaultGroups() {
        return retryAtOnce;
    }

    public String reason() {
        return reason;
    }

    /** True when our own certificate checks refused the server (logged as "verification failed"). */
    public boolean verification() {
        return verification;
    }
}

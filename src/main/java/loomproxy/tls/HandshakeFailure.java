package loomproxy.tls;

import java.io.IOException;

/**
 * A TLS handshake with an upstream server that did not complete, with one short stable reason for
 * the log and {@code $upstream_ssl_verify} (SPEC §4): a {@link VerifyReason} name, or {@code protocol},
 * {@code cipher}, {@code client_cert_rejected}, {@code handshake_timeout}, {@code not_tls},
 * {@code handshake}.
 */
public final class HandshakeFailure extends IOException {
    private final String reason;
    private final boolean verification;

    HandshakeFailure(String reason, String message, boolean verification, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.verification = verification;
    }

    public String reason() {
        return reason;
    }

    /** True when our own certificate checks refused the server (logged as "verification failed"). */
    public boolean verification() {
        return verification;
    }
}

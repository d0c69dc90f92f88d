package loomproxy.tls.trust;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;

/**
 * An upstream certificate chain that failed verification, with the one reason the log names.
 * The message is {@code "<reason>: <detail>"}, for example
 * {@code "depth: 3 intermediates > proxy_ssl_verify_depth 2"}.
 *
 * <p>The cause, when there is one, is a {@link CertPathValidatorException}: JSSE's client looks at
 * exactly {@code getCause()} of the exception a trust manager throws to choose the TLS alert
 * (certificate_expired, certificate_revoked, bad_certificate, ...; see
 * {@code sun.security.ssl.CertificateMessage#getCertificateAlert}), so the upstream learns why.
 */
public final class VerificationException extends CertificateException {
    private final VerifyReason reason;

    VerificationException(VerifyReason reason, String detail, CertPathValidatorException cause) {
        super(reason.logName() + ": " + detail, cause);
        this.reason = reason;
    }

    VerificationException(VerifyReason reason, String detail) {
        this(reason, detail, null);
    }

    VerifyReason verifyReason() {
        return reason;
    }

    /** The stable word for the log and {@code $upstream_ssl_verify}: {@code untrusted}, {@code depth}, ... */
    public String reason() {
        return reason.logName();
    }
}

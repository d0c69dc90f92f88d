package loomproxy.metrics;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate's subject and notAfter, or a CRL's issuer and nextUpdate: what the expiry gauges
 * and the status page show (SPEC §10). Names in RFC 2253 form, as {@code openssl x509 -nameopt RFC2253}.
 */
public record Expiry(String name, Instant at) {
    static Expiry of(X509Certificate certificate) {
        return new Expiry(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253),
                certificate.getNotAfter().toInstant());
    }

    /** Empty for a CRL without nextUpdate (RFC 5280 requires it, but the field is optional in the syntax). */
    static Optional<Expiry> of(X509CRL crl) {
        return crl.getNextUpdate() == null ? Optional.empty()
                : Optional.of(new Expiry(crl.getIssuerX500Principal().getName(X500Principal.RFC2253),
                        crl.getNextUpdate().toInstant()));
    }

    double seconds() {
        return at.toEpochMilli() / 1000.0;
    }
}

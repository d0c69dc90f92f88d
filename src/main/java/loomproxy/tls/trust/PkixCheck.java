package loomproxy.tls.trust;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.Set;

/**
 * Validates a found path with the JDK's PKIX validator (signatures, dates, basic constraints, key
 * usage, CRLs) against its one anchor, and turns the JDK's answer into a {@link VerifyReason}.
 * PKIX takes the anchor on faith, so the anchor's own dates are checked here first (SPEC §4).
 * A validator and a revocation checker are made per call: neither is safe to share across threads.
 */
final class PkixCheck {
    private final Crls crls;

    PkixCheck(Crls crls) {
        this.crls = crls;
    }

    void validate(TrustPath path, Instant now) throws VerificationException {
        requireDates(path.anchor(), now, " (trust anchor)");
        if (path.certs().isEmpty()) {
            return; // a pinned leaf: trusted as is, its dates were the anchor's
        }
        if (crls.store().isPresent()) {
            crls.requireCurrent(path, now);
        }
        try {
            CertPathValidator validator = CertPathValidator.getInstance("PKIX");
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path.certs());
            validator.validate(certPath, parameters(validator, path.anchor(), now));
        } catch (CertPathValidatorException e) {
            throw describe(e, path);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's PKIX validator is unavailable: " + e.getMessage(), e);
        }
    }

    private PKIXParameters parameters(CertPathValidator validator, X509Certificate anchor, Instant now)
            throws GeneralSecurityException {
        // No name constraints here: the JDK's PKIX refuses an anchor that has them. A trusted
        // intermediate's own constraints are checked apart (TrustedIntermediate, NameConstraints).
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setDate(Date.from(now));
        params.setRevocationEnabled(crls.store().isPresent());
        if (crls.store().isPresent()) {
            // CRLs from proxy_ssl_crl only: no OCSP, no fetching, as NGINX (SPEC §4).
            var revocation = (PKIXRevocationChecker) validator.getRevocationChecker();
            revocation.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
                    PKIXRevocationChecker.Option.NO_FALLBACK));
            params.addCertStore(crls.store().get());
            params.addCertPathChecker(revocation);
        }
        return params;
    }

    static void requireDates(X509Certificate cert, Instant now, String role) throws VerificationException {
        if (now.isAfter(cert.getNotAfter().toInstant())) {
            String detail = CertText.subject(cert) + role + " expired " + cert.getNotAfter().toInstant();
            throw new VerificationException(VerifyReason.EXPIRED, detail, failure(detail, BasicReason.EXPIRED));
        }
        if (now.isBefore(cert.getNotBefore().toInstant())) {
            String detail = CertText.subject(cert) + role + " not valid before " + cert.getNotBefore().toInstant();
            throw new VerificationException(VerifyReason.NOT_YET_VALID, detail,
                    failure(detail, BasicReason.NOT_YET_VALID));
        }
    }

    private static VerificationException describe(CertPathValidatorException e, TrustPath path) {
        int index = e.getIndex() >= 0 && e.getIndex() < path.certs().size() ? e.getIndex() : 0;
        X509Certificate at = path.certs().get(index);
        String who = CertText.subject(at);
        String issuer = at.getIssuerX500Principal().getName();
        return switch (e.getReason()) {
            case BasicReason.EXPIRED -> new VerificationException(VerifyReason.EXPIRED,
                    who + " expired " + at.getNotAfter().toInstant(), e);
            case BasicReason.NOT_YET_VALID -> new VerificationException(VerifyReason.NOT_YET_VALID,
                    who + " not valid before " + at.getNotBefore().toInstant(), e);
            case BasicReason.REVOKED -> new VerificationException(VerifyReason.REVOKED,
                    who + " serial " + CertText.serial(at) + " revoked by " + issuer, e);
            case BasicReason.UNDETERMINED_REVOCATION_STATUS -> new VerificationException(VerifyReason.CRL,
                    "cannot tell whether " + who + " is revoked by " + issuer + ": " + e.getMessage(), e);
            case PKIXReason.NOT_CA_CERT -> new VerificationException(VerifyReason.PURPOSE,
                    who + " issues certificates but is not a CA (basicConstraints CA:FALSE or absent)", e);
            case PKIXReason.INVALID_KEY_USAGE -> new VerificationException(VerifyReason.PURPOSE,
                    who + " key usage forbids its use in the chain: " + e.getMessage(), e);
            case PKIXReason.PATH_TOO_LONG -> new VerificationException(VerifyReason.PURPOSE,
                    who + " is beyond a pathLenConstraint of a CA above it", e);
            case PKIXReason.INVALID_NAME -> NameConstraints.describe(path, index, e);
            default -> new VerificationException(VerifyReason.UNTRUSTED, who + ": " + e.getMessage(), e);
        };
    }

    private static CertPathValidatorException failure(String detail, CertPathValidatorException.Reason reason) {
        return new CertPathValidatorException(detail, null, null, -1, reason);
    }
}

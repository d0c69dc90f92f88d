package loomproxy.tls.trust;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;

/**
 * The CRLs of {@code proxy_ssl_crl}. With any CRL given, every CA of a path must have a current one,
 * as NGINX's OpenSSL {@code X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL} demands. The JDK's
 * revocation checker would also fail without one, but only with "Could not determine revocation
 * status" and a 15-minute clock skew; checking first names the CA and the date, strictly.
 */
final class Crls {
    private final List<X509CRL> all;
    private final Map<X500Principal, List<X509CRL>> byIssuer;
    private final Optional<CertStore> store;

    Crls(List<X509CRL> crls) {
        this.all = List.copyOf(crls);
        this.byIssuer = all.stream().collect(
                Collectors.groupingBy(X509CRL::getIssuerX500Principal, Collectors.toUnmodifiableList()));
        this.store = all.isEmpty() ? Optional.empty() : Optional.of(collectionStore(all));
    }

    /** The CRLs as a CertStore for PKIX, or empty when revocation checks are off. */
    Optional<CertStore> store() {
        return store;
    }

    void requireCurrent(TrustPath path, Instant now) throws VerificationException {
        for (X509Certificate ca : path.issuers()) {
            List<X509CRL> own = byIssuer.getOrDefault(ca.getSubjectX500Principal(), List.of());
            if (own.stream().noneMatch(crl -> current(crl, now))) {
                String detail = "no current CRL from " + CertText.subject(ca) + " in proxy_ssl_crl" + why(own, now);
                var cause = new CertPathValidatorException(detail, null, null, -1,
                        BasicReason.UNDETERMINED_REVOCATION_STATUS);
                throw new VerificationException(VerifyReason.CRL, detail, cause);
            }
        }
    }

    private static boolean current(X509CRL crl, Instant now) {
        return !crl.getThisUpdate().toInstant().isAfter(now)
                && crl.getNextUpdate() != null && now.isBefore(crl.getNextUpdate().toInstant());
    }

    private static String why(List<X509CRL> own, Instant now) {
        if (own.isEmpty()) {
            return "";
        }
        X509CRL newest = own.stream().max(Comparator.comparing(X509CRL::getThisUpdate)).orElseThrow();
        if (newest.getThisUpdate().toInstant().isAfter(now)) {
            return " (the newest is not valid before " + newest.getThisUpdate().toInstant() + ")";
        }
        if (newest.getNextUpdate() == null) {
            return " (the newest has no nextUpdate)";
        }
        return " (the newest expired " + newest.getNextUpdate().toInstant() + ")";
    }

    private static CertStore collectionStore(List<X509CRL> crls) {
        try {
            return CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Collection CertStore: " + e.getMessage(), e);
        }
    }
}

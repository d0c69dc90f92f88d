package loomproxy.tls.trust;

import java.security.cert.CertPathValidatorException;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What PKIX would check of the anchor if it were in the path, for an anchor that is a trusted
 * intermediate (SPEC §4): the JDK validates from a {@code TrustAnchor} and never looks at the
 * anchor's extensions, while OpenSSL with {@code X509_V_FLAG_PARTIAL_CHAIN} (what NGINX does for a
 * trusted intermediate) checks it as the CA it is ({@code check_chain} in crypto/x509/x509_vfy.c):
 * CA:TRUE, keyCertSign when keyUsage is present, and its pathLenConstraint. Its extendedKeyUsage is
 * {@link ServerPurpose}'s, its name constraints {@link NameConstraints}'. A root is taken on faith, as by PKIX (its dates aside: {@link PkixCheck}).
 */
final class TrustedIntermediate {
    /** keyUsage bit keyCertSign, RFC 5280 §4.2.1.3. */
    private static final int KEY_CERT_SIGN = 5;

    private TrustedIntermediate() {}

    static void require(TrustPath path) throws VerificationException {
        if (path.trustedIntermediate().isEmpty()) {
            return;
        }
        X509Certificate anchor = path.anchor();
        String who = CertText.anchor(anchor);
        int pathLen = anchor.getBasicConstraints();
        if (pathLen < 0) {
            throw purpose(who + " issues certificates but is not a CA (basicConstraints CA:FALSE or absent)",
                    PKIXReason.NOT_CA_CERT);
        }
        boolean[] keyUsage = anchor.getKeyUsage();
        if (keyUsage != null && (keyUsage.length <= KEY_CERT_SIGN || !keyUsage[KEY_CERT_SIGN])) {
            throw purpose(who + " keyUsage lacks keyCertSign", PKIXReason.INVALID_KEY_USAGE);
        }
        long below = countedIntermediates(path.intermediateCas());
        if (below > pathLen) {
            throw purpose(who + " pathlen:" + pathLen + " but " + below
                    + (below == 1 ? " intermediate" : " intermediates") + " below it", PKIXReason.PATH_TOO_LONG);
        }
    }

    /**
     * The intermediates a pathLenConstraint counts: all but self-issued ones (RFC 5280 §6.1.4 (l);
     * a key rollover certificate does not lengthen the path).
     */
    private static long countedIntermediates(List<X509Certificate> intermediates) {
        return intermediates.stream()
                .filter(ca -> !ca.getSubjectX500Principal().equals(ca.getIssuerX500Principal()))
                .count();
    }

    private static VerificationException purpose(String detail, PKIXReason reason) {
        var cause = new CertPathValidatorException(detail, null, null, -1, reason);
        return new VerificationException(VerifyReason.PURPOSE, detail, cause);
    }
}

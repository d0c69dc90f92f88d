package loomproxy.tls.trust;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * May this path authenticate a TLS server? PKIX checks CA key usage only; the rest is OpenSSL's
 * {@code X509_PURPOSE_SSL_SERVER} (crypto/x509/v3_purp.c, {@code check_purpose_ssl_server}), which
 * NGINX applies to every certificate of the chain: an extendedKeyUsage, when present, must allow
 * serverAuth, on the leaf and on every CA above it ({@code xku_reject} does not care whether the
 * certificate is a CA: a CA restricted to clientAuth cannot vouch for a server); on the leaf a
 * keyUsage, when present, must allow digitalSignature, keyEncipherment or keyAgreement. A root is
 * taken on faith, as PKIX takes it (SPEC §4); a trusted intermediate is not.
 *
 * <p>One relaxation: we also accept anyExtendedKeyUsage, on the leaf and on CAs alike, as RFC 5280
 * §4.2.1.12 permits and the JDK's EndEntityChecker does (OpenSSL's xku_reject does not).
 */
final class ServerPurpose {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_EKU = "2.5.29.37.0";
    private static final Map<String, String> EKU_NAMES = Map.of(
            SERVER_AUTH, "serverAuth", "1.3.6.1.5.5.7.3.2", "clientAuth", "1.3.6.1.5.5.7.3.3", "codeSigning",
            "1.3.6.1.5.5.7.3.4", "emailProtection", "1.3.6.1.5.5.7.3.8", "timeStamping",
            "1.3.6.1.5.5.7.3.9", "OCSPSigning", ANY_EKU, "anyExtendedKeyUsage");
    /** keyUsage bits, RFC 5280 §4.2.1.3. */
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_ENCIPHERMENT = 2;
    private static final int KEY_AGREEMENT = 4;

    private ServerPurpose() {}

    static void require(TrustPath path) throws VerificationException {
        X509Certificate leaf = path.leaf();
        requireServerAuth(leaf, CertText.subject(leaf));
        for (X509Certificate ca : path.intermediateCas()) {
            requireServerAuth(ca, CertText.subject(ca));
        }
        if (path.trustedIntermediate().isPresent()) {
            requireServerAuth(path.anchor(), CertText.anchor(path.anchor()));
        }
        boolean[] ku = leaf.getKeyUsage();
        if (ku != null && !(bit(ku, DIGITAL_SIGNATURE) || bit(ku, KEY_ENCIPHERMENT) || bit(ku, KEY_AGREEMENT))) {
            throw purpose(CertText.subject(leaf)
                    + " keyUsage allows none of digitalSignature, keyEncipherment, keyAgreement");
        }
    }

    private static void requireServerAuth(X509Certificate cert, String who) throws VerificationException {
        List<String> eku = extendedKeyUsage(cert, who);
        if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_EKU)) {
            throw purpose(who + " extendedKeyUsage "
                    + eku.stream().map(oid -> EKU_NAMES.getOrDefault(oid, oid)).toList() + " lacks serverAuth");
        }
    }

    private static List<String> extendedKeyUsage(X509Certificate cert, String who) throws VerificationException {
        try {
            return cert.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw purpose(who + " has an unparseable extendedKeyUsage: " + e.getMessage());
        }
    }

    private static boolean bit(boolean[] bits, int index) {
        return index < bits.length && bits[index];
    }

    private static VerificationException purpose(String detail) {
        var cause = new CertPathValidatorException(detail, null, null, -1, PKIXReason.INVALID_KEY_USAGE);
        return new VerificationException(VerifyReason.PURPOSE, detail, cause);
    }
}

package loomproxy.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;
import loomproxy.config.Location;
import loomproxy.config.Problems;

/**
 * {@code proxy_ssl_crl} against {@code proxy_ssl_trusted_certificate}, at load, so {@code --check}, a
 * start and a reload refuse what verification would only find out per session. With CRLs given,
 * every CA of a path needs a current CRL (OpenSSL's {@code X509_V_FLAG_CRL_CHECK_ALL}, SPEC §4),
 * the anchor included:
 * <ul>
 * <li>a CRL that names a trusted certificate as its issuer but is not signed by that certificate's
 *     key cannot vouch for anything: PKIX leaves every status undetermined, so every upstream through
 *     that anchor fails with reason {@code crl}. An error, like a key that does not match its certificate.
 * <li>no CRL from any trusted certificate fails every verification with reason {@code crl}: a warning,
 *     as an expired CRL is ({@link TlsWarnings#crls}), since the file may be about to be replaced.
 * </ul>
 * A CRL whose issuer is not a trusted certificate may be an intermediate's: PKIX checks it per path.
 */
final class CrlIssuers {
    /** How many anchors a warning names before "and N more": a system bundle holds a hundred. */
    private static final int NAMED = 3;

    private CrlIssuers() {}

    /** @param key proxy_ssl_crl as its line has it */
    static void check(List<X509Certificate> anchors, Path trustedFile, List<X509CRL> crls, Path crlFile, String key,
                      Location where, Problems problems) {
        if (crls.isEmpty()) {
            return; // no CRLs, no revocation checks
        }
        Set<X500Principal> fromAnchors = new LinkedHashSet<>();
        Set<String> errors = new LinkedHashSet<>(); // the same CRL twice in the file is one mistake
        for (X509CRL crl : crls) {
            X500Principal issuer = crl.getIssuerX500Principal();
            List<X509Certificate> named = anchors.stream()
                    .filter(anchor -> anchor.getSubjectX500Principal().equals(issuer)).toList();
            if (named.isEmpty()) {
                continue;
            }
            fromAnchors.add(issuer);
            // Several trusted certificates may share a name (a CA that changed its key): any of their keys will do.
            String failure = null;
            for (X509Certificate anchor : named) {
                failure = signatureFailure(crl, anchor);
                if (failure == null) {
                    break;
                }
            }
            if (failure != null) {
                String ca = issuer.getName();
                errors.add("the CRL from " + ca + " in " + crlFile + " is not signed by " + ca + "'s key in " + trustedFile
                        + " (" + failure + "): replace it with a CRL that " + ca + " signed, or, if " + ca
                        + " has a new key, add its new certificate to " + trustedFile);
            }
        }
        errors.forEach(message -> problems.add(where, key, message));
        if (fromAnchors.isEmpty()) {
            problems.warn(where, key, "no certificate in " + trustedFile + " has a CRL in " + crlFile
                    + ", so every upstream fails verification with reason crl (every CA of a chain needs one, the trusted"
                    + " one included): add the CRL of " + names(anchors) + " to " + crlFile);
        }
    }

    /** Null when {@code anchor}'s key verifies {@code crl}'s signature, else why not, on one line. */
    private static String signatureFailure(X509CRL crl, X509Certificate anchor) {
        try {
            crl.verify(anchor.getPublicKey());
            return null;
        } catch (GeneralSecurityException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return message.replaceAll("\\s+", " ").strip().replaceAll("\\.$", "");
        }
    }

    private static String names(List<X509Certificate> anchors) {
        List<String> names = anchors.stream().map(a -> a.getSubjectX500Principal().getName()).distinct().toList();
        String shown = names.stream().limit(NAMED).collect(Collectors.joining(", "));
        return names.size() <= NAMED ? shown : shown + " and " + (names.size() - NAMED) + " more";
    }
}

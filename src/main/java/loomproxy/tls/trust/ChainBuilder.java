package loomproxy.tls.trust;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;

/**
 * Finds a path from the leaf through the certificates the server sent (in any order, extras and
 * roots allowed) to any certificate of {@code proxy_ssl_trusted_certificate}. The first anchor
 * reached ends the path, so a trusted intermediate pins (SPEC §8, as Java's PKIX and Envoy do).
 * An issuer must match by name and by signature, so a look-alike CA with the same subject never
 * completes a path. The search backtracks, so cross-signed duplicates cannot lead it astray, and
 * it goes on from each certificate only once: a depth-first search reaches everything reachable
 * from the leaf, so if any path to an anchor exists one is found, and searching a certificate again
 * under another prefix would find nothing new. Without that, a server that sent ten certificates
 * with one name and one key (each signs every other) made it try every order of them: seconds of
 * CPU per handshake, and hours with a raised jdk.tls.client.maxInboundCertificateChainLength.
 */
final class ChainBuilder {
    private final Map<X500Principal, List<X509Certificate>> anchorsBySubject;
    private final Set<X509Certificate> anchors;
    /** The anchors that are roots; decided once, as it costs a signature check. */
    private final Set<X509Certificate> selfSigned;
    /** Where the anchors come from, for the {@code untrusted} message (see {@link UpstreamTrust}). */
    private final String anchorsName;

    ChainBuilder(List<X509Certificate> anchors, String anchorsName) {
        this.anchors = Set.copyOf(anchors);
        this.anchorsName = anchorsName;
        this.selfSigned = anchors.stream().filter(anchor -> signedBy(anchor, anchor)).collect(Collectors.toUnmodifiableSet());
        this.anchorsBySubject = anchors.stream().collect(
                Collectors.groupingBy(X509Certificate::getSubjectX500Principal, Collectors.toUnmodifiableList()));
    }

    TrustPath build(X509Certificate[] sent) throws VerificationException {
        X509Certificate leaf = sent[0];
        if (anchors.contains(leaf)) {
            return new TrustPath(List.of(), leaf, selfSigned.contains(leaf));
        }
        List<X509Certificate> pool = Arrays.stream(sent).skip(1).distinct().toList();
        List<X509Certificate> longest = new ArrayList<>(List.of(leaf));
        return extend(new ArrayList<>(List.of(leaf)), pool, longest, new HashSet<>())
                .orElseThrow(() -> untrusted(longest));
    }

    /** @param tried the certificates the search has gone on from already, on this path or an abandoned one */
    private Optional<TrustPath> extend(List<X509Certificate> path, List<X509Certificate> pool,
                                       List<X509Certificate> longest, Set<X509Certificate> tried) {
        X509Certificate last = path.get(path.size() - 1);
        for (X509Certificate anchor : anchorsBySubject.getOrDefault(last.getIssuerX500Principal(), List.of())) {
            if (signedBy(last, anchor)) {
                return Optional.of(new TrustPath(path, anchor, selfSigned.contains(anchor)));
            }
        }
        for (X509Certificate next : pool) {
            if (tried.contains(next) || !signedBy(last, next)) {
                continue;
            }
            tried.add(next);
            path.add(next);
            if (path.size() > longest.size()) {
                longest.clear();
                longest.addAll(path);
            }
            Optional<TrustPath> found = extend(path, pool, longest, tried);
            if (found.isPresent()) {
                return found;
            }
            path.remove(path.size() - 1);
        }
        return Optional.empty();
    }

    private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
        if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException notThisIssuer) {
            // A wrong key, or a key of another algorithm: this candidate did not sign the certificate.
            return false;
        }
    }

    private VerificationException untrusted(List<X509Certificate> reached) {
        X509Certificate leaf = reached.get(0);
        X509Certificate top = reached.get(reached.size() - 1);
        String via = reached.size() > 1 ? " via " + CertText.subject(top) : "";
        String detail = "no path from " + CertText.subject(leaf) + via + " (issuer " + top.getIssuerX500Principal().getName()
                + ") to " + anchorsName;
        var cause = new CertPathValidatorException(detail, null, null, -1, PKIXReason.NO_TRUST_ANCHOR);
        return new VerificationException(VerifyReason.UNTRUSTED, detail, cause);
    }
}

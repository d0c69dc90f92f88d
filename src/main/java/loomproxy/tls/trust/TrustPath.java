package loomproxy.tls.trust;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A certification path found in what the server sent: {@code certs} from the leaf up to the last
 * certificate below the trust anchor (the anchor itself not included). Empty {@code certs} means the
 * leaf is itself in {@code proxy_ssl_trusted_certificate} (pinned), and then {@code anchor} is the leaf.
 * {@code anchorSelfSigned} tells a root (taken on faith) from a trusted intermediate (SPEC §4).
 */
record TrustPath(List<X509Certificate> certs, X509Certificate anchor, boolean anchorSelfSigned) {
    TrustPath {
        certs = List.copyOf(certs);
    }

    /** The server's own certificate (the anchor itself when pinned). */
    X509Certificate leaf() {
        return certs.isEmpty() ? anchor : certs.get(0);
    }

    /** Certificates between the leaf and the anchor: what {@code proxy_ssl_verify_depth} limits. */
    int intermediates() {
        return Math.max(0, certs.size() - 1);
    }

    /** Those certificates, the leaf's issuer first. */
    List<X509Certificate> intermediateCas() {
        return certs.isEmpty() ? List.of() : certs.subList(1, certs.size());
    }

    /** The CAs that issued the path's certificates, leaf's issuer first, ending with the anchor. */
    List<X509Certificate> issuers() {
        if (certs.isEmpty()) {
            return List.of();
        }
        return Stream.concat(certs.stream().skip(1), Stream.of(anchor)).toList();
    }

    /**
     * The anchor when it is not self-signed and issued part of the path: a trusted intermediate,
     * whose own constraints still apply to the path below it (SPEC §4), as OpenSSL applies them.
     */
    Optional<X509Certificate> trustedIntermediate() {
        return certs.isEmpty() || anchorSelfSigned ? Optional.empty() : Optional.of(anchor);
    }
}

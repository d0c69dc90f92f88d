package loomproxy.tls.trust;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;

/**
 * A certification path found in what the server sent: {@code certs} from the leaf up to the last
 * certificate below the trust anchor (the anchor itself not included). Empty {@code certs} means the
 * leaf is itself in {@code proxy_ssl_trusted_certificate} (pinned), and then {@code anchor} is the leaf.
 */
record TrustPath(List<X509Certificate> certs, X509Certificate anchor) {
    TrustPath {
        certs = List.copyOf(certs);
    }

    /** Certificates between the leaf and the anchor: what {@code proxy_ssl_verify_depth} limits. */
    int intermediates() {
        return Math.max(0, certs.size() - 1);
    }

    /** The CAs that issued the path's certificates, leaf's issuer first, ending with the anchor. */
    List<X509Certificate> issuers() {
        if (certs.isEmpty()) {
            return List.of();
        }
        return Stream.concat(certs.stream().skip(1), Stream.of(anchor)).toList();
    }
}

package loomproxy.tls;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The certificates and CRLs a server block's TLS was built from, for the expiry metrics and the
 * status page (SPEC §10): {@code proxy_ssl_certificate}'s chain, {@code proxy_ssl_trusted_certificate}'s
 * entries (empty when the JDK's CAs are used) and {@code proxy_ssl_crl}'s CRLs. Public parts only:
 * the private key never leaves {@link ClientKeyManager}.
 */
public record TlsMaterial(List<X509Certificate> clientChain, List<X509Certificate> trusted, List<X509CRL> crls) {
    public TlsMaterial {
        clientChain = List.copyOf(clientChain);
        trusted = List.copyOf(trusted);
        crls = List.copyOf(crls);
    }
}

package loomproxy.tls.trust;

import java.util.Locale;

/**
 * Why an upstream certificate was rejected: the stable word that the error log and
 * {@code $upstream_ssl_verify} print (SPEC §4, §6).
 */
enum VerifyReason {
    /** No path from the leaf to a certificate of {@code proxy_ssl_trusted_certificate}, or a bad signature. */
    UNTRUSTED,
    /** More intermediates than {@code proxy_ssl_verify_depth} allows. */
    DEPTH,
    EXPIRED,
    NOT_YET_VALID,
    REVOKED,
    /**
     * The certificate does not name the expected host ({@code proxy_ssl_name} or the server's host),
     * or a certificate's names are outside the name constraints of a CA above it.
     */
    NAME,
    /** A certificate may not be used the way the chain uses it (CA:FALSE issuer, key usage, pathlen, serverAuth EKU). */
    PURPOSE,
    /** {@code proxy_ssl_crl} has no current CRL for a CA of the chain, so revocation cannot be decided. */
    CRL;

    /** {@code "untrusted"}, {@code "not_yet_valid"}, ... */
    String logName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package loomproxy.tls.trust;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.PKIXReason;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Verifies upstream servers as SPEC §4 says: a path to any certificate of
 * {@code proxy_ssl_trusted_certificate}, at most {@code proxy_ssl_verify_depth} intermediates, PKIX
 * (dates, constraints, key usage, CRLs of {@code proxy_ssl_crl}), the constraints of a trusted
 * intermediate that PKIX leaves out, the serverAuth purpose and the name. One instance serves every session of a server block: it holds no per-handshake state.
 *
 * <p>This package is the security-critical part of loomproxy and is meant to be audited on its own:
 * its public surface is this class and {@link VerificationException}. It knows nothing of JSSE's
 * sockets or of how the TLS layer keeps sessions; the TLS layer tells it which name to check.
 * Failures are {@link VerificationException}s, which JSSE turns into the matching TLS alert.
 */
public final class UpstreamTrust {
    private final X509Certificate[] anchors;
    private final ChainBuilder chains;
    private final PkixCheck pkix;
    private final int verifyDepth;
    private final InstantSource clock;

    /**
     * @param anchors     every certificate of proxy_ssl_trusted_certificate (or {@link #jdkDefaultCas()})
     * @param anchorsName where they come from, as an {@code untrusted} failure ends ("no path from ... to
     *                    ANCHORS_NAME"), e.g. "a certificate in proxy_ssl_trusted_certificate" or "the JDK's
     *                    default CAs": an operator must not be sent to a file the configuration does not have
     * @param crls        empty: no revocation checks; else every CA of the path needs a current CRL
     */
    public UpstreamTrust(List<X509Certificate> anchors, String anchorsName, List<X509CRL> crls, int verifyDepth,
                         InstantSource clock) {
        if (verifyDepth < 0) {
            throw new IllegalArgumentException("proxy_ssl_verify_depth must be >= 0, not " + verifyDepth);
        }
        this.anchors = anchors.toArray(X509Certificate[]::new);
        this.chains = new ChainBuilder(anchors, anchorsName);
        this.pkix = new PkixCheck(new Crls(crls));
        this.verifyDepth = verifyDepth;
        this.clock = clock;
    }

    /** The JDK's default trusted CAs (the cacerts file), used when proxy_ssl_trusted_certificate is not set. */
    public static List<X509Certificate> jdkDefaultCas() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return Arrays.stream(factory.getTrustManagers())
                .filter(X509TrustManager.class::isInstance)
                .flatMap(tm -> Arrays.stream(((X509TrustManager) tm).getAcceptedIssuers()))
                .toList();
    }

    /**
     * The whole check.
     *
     * @param chain as the server sent it, leaf first
     * @param name  the host name or IP literal the certificate must name (proxy_ssl_name or the server's host)
     */
    public void verify(X509Certificate[] chain, String name) throws VerificationException {
        Objects.requireNonNull(name, "name");
        if (chain == null || chain.length == 0) {
            throw new VerificationException(VerifyReason.UNTRUSTED, "the upstream sent no certificate");
        }
        try {
            check(chain, name);
        } catch (RuntimeException e) {
            // Fail closed on whatever the JDK throws for odd certificates: its name constraints
            // matcher, for one, throws StringIndexOutOfBoundsException on an empty DNS subtree.
            String detail = "checking " + CertText.subject(chain[0]) + " failed (" + e.getClass().getName() + ")";
            var cause = new CertPathValidatorException(detail, null, null, -1, BasicReason.UNSPECIFIED);
            throw new VerificationException(VerifyReason.UNTRUSTED, detail, cause);
        }
    }

    private void check(X509Certificate[] chain, String name) throws VerificationException {
        TrustPath path = chains.build(chain);
        requireDepth(path);
        pkix.validate(path, clock.instant());
        TrustedIntermediate.require(path);
        ServerPurpose.require(path);
        NameConstraints.require(path);
        if (!HostnameMatcher.matches(name, chain[0])) {
            throw new VerificationException(VerifyReason.NAME,
                    name + " not in " + HostnameMatcher.namesOf(chain[0]));
        }
    }

    private void requireDepth(TrustPath path) throws VerificationException {
        int count = path.intermediates();
        if (count > verifyDepth) {
            String detail = count + (count == 1 ? " intermediate" : " intermediates")
                    + " > proxy_ssl_verify_depth " + verifyDepth;
            var cause = new CertPathValidatorException(detail, null, null, -1, PKIXReason.PATH_TOO_LONG);
            throw new VerificationException(VerifyReason.DEPTH, detail, cause);
        }
    }

    /** The trusted certificates, for a TLS CertificateRequest's list of acceptable issuers. */
    public X509Certificate[] anchors() {
        return anchors.clone();
    }

    /** True for an IPv4 or IPv6 literal: RFC 6066 §3 sends no SNI for those, and they match iPAddress SANs. */
    public static boolean isIpLiteral(String name) {
        return HostnameMatcher.ipLiteral(name).isPresent();
    }
}

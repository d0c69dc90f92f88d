package loomproxy.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.PKIXReason;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Verifies upstream servers as SPEC §4 says: a path to any certificate of
 * {@code proxy_ssl_trusted_certificate}, at most {@code proxy_ssl_verify_depth} intermediates, PKIX
 * (dates, constraints, key usage, CRLs of {@code proxy_ssl_crl}), the serverAuth purpose and the
 * name. One instance serves every session of a server block: it holds no per-handshake state.
 *
 * <p>Failures are {@link VerificationException}s, which JSSE turns into the matching TLS alert and an
 * {@code SSLHandshakeException} whose cause is the VerificationException.
 */
final class UpstreamTrust extends ServerTrustOnly {
    private final X509Certificate[] anchors;
    private final ChainBuilder chains;
    private final PkixCheck pkix;
    private final int verifyDepth;
    private final Optional<String> expectedName;
    private final InstantSource clock;

    /**
     * @param anchors      every certificate of proxy_ssl_trusted_certificate (or {@link #jdkDefaultCas()})
     * @param crls         empty: no revocation checks; else every CA of the path needs a current CRL
     * @param expectedName proxy_ssl_name when set; empty: the host the socket was created for
     */
    UpstreamTrust(List<X509Certificate> anchors, List<X509CRL> crls, int verifyDepth,
                  Optional<String> expectedName, InstantSource clock) {
        if (verifyDepth < 0) {
            throw new IllegalArgumentException("proxy_ssl_verify_depth must be >= 0, not " + verifyDepth);
        }
        this.anchors = anchors.toArray(X509Certificate[]::new);
        this.chains = new ChainBuilder(anchors);
        this.pkix = new PkixCheck(new Crls(crls));
        this.verifyDepth = verifyDepth;
        this.expectedName = expectedName;
        this.clock = clock;
    }

    /** The JDK's default trusted CAs (the cacerts file), used when proxy_ssl_trusted_certificate is not set. */
    static List<X509Certificate> jdkDefaultCas() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return Arrays.stream(factory.getTrustManagers())
                .filter(X509TrustManager.class::isInstance)
                .flatMap(tm -> Arrays.stream(((X509TrustManager) tm).getAcceptedIssuers()))
                .toList();
    }

    /** The whole check; {@code chain} as the server sent it, leaf first. */
    void verify(X509Certificate[] chain, String name) throws VerificationException {
        Objects.requireNonNull(name, "name");
        if (chain == null || chain.length == 0) {
            throw new VerificationException(VerifyReason.UNTRUSTED, "the upstream sent no certificate");
        }
        TrustPath path = chains.build(chain);
        requireDepth(path);
        pkix.validate(path, clock.instant());
        ServerPurpose.require(chain[0]);
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

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        SSLSession session = socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null;
        verify(chain, nameToCheck(session == null ? null : TicketSlots.hostOf(session.getPeerHost())));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, nameToCheck(engine == null ? null : TicketSlots.hostOf(engine.getPeerHost())));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, nameToCheck(null));
    }

    private String nameToCheck(String peerHost) throws CertificateException {
        if (expectedName.isPresent()) {
            return expectedName.get();
        }
        if (peerHost == null || peerHost.isEmpty()) {
            // Without a host the name check would be skipped: refuse rather than accept any name.
            throw new CertificateException("no name to check the upstream certificate against: set proxy_ssl_name,"
                    + " or create the socket with the server's host (createSocket(socket, host, port, autoClose))");
        }
        return peerHost;
    }




    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return anchors.clone();
    }
}

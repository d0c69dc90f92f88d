package loomproxy.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import loomproxy.tls.trust.UpstreamTrust;

/**
 * JSSE's entry into {@link UpstreamTrust}: decides which name the certificate must carry —
 * proxy_ssl_name when set, else the host the socket was created for — and lets the verifier do the
 * rest. The socket's host is a {@link TicketSlots} cache key, which only this package can read back.
 */
final class VerifyingTrustManager extends ServerTrustOnly {
    private final UpstreamTrust trust;
    private final Optional<String> expectedName;

    /** @param expectedName proxy_ssl_name when set; empty: the host the socket was created for */
    VerifyingTrustManager(UpstreamTrust trust, Optional<String> expectedName) {
        this.trust = trust;
        this.expectedName = expectedName;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        SSLSession session = socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null;
        trust.verify(chain, nameToCheck(session == null ? null : TicketSlots.hostOf(session.getPeerHost())));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        trust.verify(chain, nameToCheck(engine == null ? null : TicketSlots.hostOf(engine.getPeerHost())));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        trust.verify(chain, nameToCheck(null));
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
        return trust.anchors();
    }
}

package loomproxy.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Offers the one configured client certificate whenever the upstream asks for one. Unlike the JDK's
 * key managers it ignores the CA names in the server's CertificateRequest, as OpenSSL (and so NGINX's
 * {@code proxy_ssl_certificate}) does: the server, not the client, decides whether the chain is good.
 *
 * <p>It also notes which handshakes were asked for a certificate. A TLS 1.2 server that refuses the
 * client's certificate (or its absence) sends an alert and closes while the client is still writing
 * its last flight, so JSSE often reports only "Broken pipe"; knowing the server asked lets the log
 * name the real reason.
 */
final class ClientKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "proxy_ssl_certificate";

    private final X509Certificate[] chain;
    private final PrivateKey key;
    private final Set<Socket> asked = ConcurrentHashMap.newKeySet();

    /** With an empty chain and a null key it offers nothing but still notes the requests. */
    ClientKeyManager(List<X509Certificate> chain, PrivateKey key) {
        this.chain = chain.toArray(X509Certificate[]::new);
        this.key = key;
    }

    boolean hasCertificate() {
        return key != null;
    }

    /** Whether the server asked this socket for a client certificate; forgets the socket. */
    boolean forget(Socket socket) {
        return asked.remove(socket);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        if (socket != null) {
            asked.add(socket);
        }
        return choose(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes);
    }

    /** JSSE asks per key type it can sign with for the negotiated signature schemes. */
    private String choose(String[] keyTypes) {
        if (key == null) {
            return null;
        }
        String algorithm = key.getAlgorithm();
        for (String type : keyTypes) {
            if (type.equalsIgnoreCase(algorithm) || ("EdDSA".equalsIgnoreCase(type) && algorithm.startsWith("Ed"))
                    || (type.equalsIgnoreCase("RSASSA-PSS") && algorithm.equals("RSA"))) {
                return ALIAS;
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}

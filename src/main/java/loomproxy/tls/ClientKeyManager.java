package loomproxy.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Offers the one configured client certificate whenever the upstream asks for one. Unlike the JDK's
 * key managers it ignores the CA names in the server's CertificateRequest, as OpenSSL (and so NGINX's
 * {@code proxy_ssl_certificate}) does: the server, not the client, decides whether the chain is good.
 */
final class ClientKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "proxy_ssl_certificate";

    private final X509Certificate[] chain;
    private final PrivateKey key;

    ClientKeyManager(List<X509Certificate> chain, PrivateKey key) {
        this.chain = chain.toArray(X509Certificate[]::new);
        this.key = key;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return choose(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes);
    }

    /** JSSE asks per key type it can sign with for the negotiated signature schemes. */
    private String choose(String[] keyTypes) {
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

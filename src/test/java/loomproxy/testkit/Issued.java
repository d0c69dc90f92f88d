package loomproxy.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One certificate of a {@link TestPki} with its key and its files: {@code cert.pem}, {@code key.pem}
 * (unencrypted PKCS#8), {@code chain.pem} (the certificate then its intermediates, the way a server
 * sends them, never the root) and, on demand, {@code keystore.p12} (password {@value TestPki#P12_PASSWORD}).
 */
public final class Issued {
    private final String name;
    private final Path dir;
    private final X509Certificate cert;
    private final PrivateKey key;
    private final List<X509Certificate> chain;

    private Issued(String name, Path dir, X509Certificate cert, PrivateKey key, List<X509Certificate> chain) {
        this.name = name;
        this.dir = dir;
        this.cert = cert;
        this.key = key;
        this.chain = chain;
    }

    static Issued create(String name, Path dir, X509Certificate cert, PrivateKey key, List<X509Certificate> above) {
        List<X509Certificate> chain = new ArrayList<>(List.of(cert));
        chain.addAll(above);
        Pem.write(dir.resolve("key.pem"), Pem.encode("PRIVATE KEY", key.getEncoded()));
        Pem.write(dir.resolve("chain.pem"), Pem.certificates(chain));
        return new Issued(name, dir, cert, key, List.copyOf(chain));
    }

    /** The subject CN. */
    public String name() {
        return name;
    }

    public X509Certificate cert() {
        return cert;
    }

    public PrivateKey key() {
        return key;
    }

    /** The certificate followed by its intermediates (not the root): what a TLS server sends. */
    public X509Certificate[] chain() {
        return chain.toArray(X509Certificate[]::new);
    }

    public BigInteger serial() {
        return cert.getSerialNumber();
    }

    public Path directory() {
        return dir;
    }

    public Path certPem() {
        return dir.resolve("cert.pem");
    }

    public Path keyPem() {
        return dir.resolve("key.pem");
    }

    public Path chainPem() {
        return dir.resolve("chain.pem");
    }

    /** The key and chain in a PKCS#12 file, written on first use. */
    public synchronized Path p12() {
        Path file = dir.resolve("keystore.p12");
        if (!Files.exists(file)) {
            try (OutputStream out = Files.newOutputStream(file)) {
                keyStore().store(out, TestPki.P12_PASSWORD.toCharArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot write " + file, e);
            }
        }
        return file;
    }

    /** An in-memory PKCS#12 key store with the key and chain under the alias {@code "key"}. */
    public KeyStore keyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", key, TestPki.P12_PASSWORD.toCharArray(), chain());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a key store for " + name, e);
        }
    }

    /**
     * A JSSE server context presenting this certificate and its chain. With anchors, client
     * certificates are verified against them (the server socket must still ask for them with
     * {@code setNeedClientAuth(true)}); without, the context keeps the JDK's default trust.
     */
    public SSLContext serverContext(X509Certificate... clientAuthAnchors) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore(), TestPki.P12_PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), clientAuthAnchors.length == 0 ? null
                    : trust(clientAuthAnchors).getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a server SSLContext for " + name, e);
        }
    }

    private static TrustManagerFactory trust(X509Certificate... anchors) throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < anchors.length; i++) {
                store.setCertificateEntry("anchor-" + i, anchors[i]);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            return factory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

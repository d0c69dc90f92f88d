package loomproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The kit makes what it promises: files other tests feed to the proxy, and working JSSE contexts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestPkiTest {
    private TestPki pki;
    private Ca root;
    private Ca int1;
    private Issued leaf;

    @BeforeAll
    void pki(@TempDir Path dir) {
        pki = TestPki.in(dir);
        root = pki.root("Root CA");
        int1 = root.intermediate("Int 1");
        leaf = int1.server("upstream.example.com");
    }

    @Test
    void filesAreWhatAServerAndTheProxyRead() throws Exception {
        assertEquals(leaf.cert(), Pem.readCertificate(leaf.certPem()));
        assertTrue(Files.readString(leaf.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        pki.openssl("pkey", "-in", leaf.keyPem().toString(), "-noout");
        try (InputStream in = Files.newInputStream(leaf.chainPem())) {
            assertEquals(List.of(leaf.cert(), int1.certificate()),
                    CertificateFactory.getInstance("X.509").generateCertificates(in).stream().toList());
        }
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(leaf.p12())) {
            p12.load(in, TestPki.P12_PASSWORD.toCharArray());
        }
        assertEquals(leaf.key(), p12.getKey("key", TestPki.P12_PASSWORD.toCharArray()));
        assertEquals(2, p12.getCertificateChain("key").length);
    }

    @Test
    void certificatesCarryTheAskedForExtensionsAndDates() throws Exception {
        X509Certificate server = leaf.cert();
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.getExtendedKeyUsage());
        assertEquals(-1, server.getBasicConstraints());
        assertEquals(List.of(List.of(2, "upstream.example.com")), List.copyOf(server.getSubjectAlternativeNames()));
        X509Certificate client = int1.client("client").cert();
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), client.getExtendedKeyUsage());
        assertNull(client.getSubjectAlternativeNames());
        assertTrue(int1.certificate().getBasicConstraints() >= 0);
        assertTrue(int1.certificate().getKeyUsage()[5]); // keyCertSign
        Ca expiredCa = pki.newRoot("Expired CA").expired().issue();
        assertTrue(expiredCa.certificate().getNotAfter().toInstant().isBefore(pki.now()));
        Instant from = Instant.parse("2020-01-01T00:00:00Z");
        Issued dated = root.newServer("dated").validity(from, Instant.parse("2021-01-01T00:00:00Z")).issue();
        assertEquals(from, dated.cert().getNotBefore().toInstant());
        Issued rsa = root.newServer("rsa").rsa().issue();
        assertEquals("RSA", rsa.cert().getPublicKey().getAlgorithm());
        assertTrue(rsa.cert().getKeyUsage()[2]); // keyEncipherment
    }

    @Test
    void constraintsSubjectsAndRawExtensionsReachTheCertificate() throws Exception {
        X509Certificate ca = root.newIntermediate("Partner CA").pathLen(0)
                .nameConstraints("permitted;DNS:partner.example", "permitted;dirName:O=Partner,OU=Ops",
                        "excluded;IP:10.0.0.0/255.0.0.0")
                .issue().certificate();
        assertEquals(0, ca.getBasicConstraints());
        String text = pki.openssl("x509", "-in", pki.bundle("partner.pem", ca).toString(), "-noout",
                "-ext", "nameConstraints");
        assertTrue(text.contains("DNS:partner.example") && text.contains("DirName:O = Partner, OU = Ops")
                && text.contains("IP:10.0.0.0/255.0.0.0"), text);
        Issued twoCns = root.newServer("last.example").cnOnly().subject("/O=Partner/CN=first.example/CN=last.example")
                .issue();
        assertEquals("CN=last.example,CN=first.example,O=Partner", twoCns.cert().getSubjectX500Principal().getName());
        Issued mapped = root.newServer("mapped").ip("::ffff:192.0.2.1").issue();
        byte[] san = mapped.cert().getExtensionValue("2.5.29.17"); // OCTET STRING { SEQUENCE { [7] 16 bytes } }
        assertEquals(2 + 2 + 2 + 16, san.length);
        Issued raw = root.newServer("raw").extension("nameConstraints = critical, DER:30:00").issue();
        assertArrayEquals(new byte[] {4, 2, 0x30, 0}, raw.cert().getExtensionValue("2.5.29.30"));
    }

    @Test
    void crlsListRevokedSerialsAndBundleTogether() throws Exception {
        Issued doomed = root.server("doomed.example.com");
        root.revoke(doomed);
        Crl crl = root.crl();
        assertNotNull(crl.crl().getRevokedCertificate(doomed.serial()));
        assertTrue(crl.crl().getNextUpdate().toInstant().isAfter(pki.now()));
        assertTrue(root.expiredCrl().crl().getNextUpdate().toInstant().isBefore(pki.now()));
        assertThrows(IllegalArgumentException.class, () -> root.revoke(leaf));
        Path bundle = pki.crlBundle("crls.pem", crl, int1.crl());
        try (InputStream in = Files.newInputStream(bundle)) {
            assertEquals(2, CertificateFactory.getInstance("X.509").generateCRLs(in).size());
        }
    }

    @Test
    void serverContextDoesMutualTls() throws Exception {
        Issued client = root.client("client");
        SSLContext serverContext = leaf.serverContext(root.certificate());
        try (var listener = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            CompletableFuture<String> peer = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (var socket = (SSLSocket) listener.accept()) {
                    socket.startHandshake();
                    peer.complete(socket.getSession().getPeerPrincipal().getName());
                } catch (Exception e) {
                    peer.completeExceptionally(e);
                }
            });
            try (var socket = (SSLSocket) clientContext(client).getSocketFactory()
                    .createSocket(new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
                            "upstream.example.com", listener.getLocalPort(), true)) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                assertEquals("CN=client", peer.get(10, TimeUnit.SECONDS));
            }
        }
    }

    private SSLContext clientContext(Issued client) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(client.keyStore(), TestPki.P12_PASSWORD.toCharArray());
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("root", root.certificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }
}

package loomproxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import loomproxy.testkit.Ca;
import loomproxy.testkit.TestPki;
import loomproxy.tls.trust.UpstreamTrust;
import loomproxy.tls.trust.VerificationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Which name JSSE's entry into the verifier asks for, and that it never serves TLS clients. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyingTrustManagerTest {
    private static final String HOST = "upstream.example.com";

    private Ca root;
    private X509Certificate[] chain;

    @BeforeAll
    void pki(@TempDir Path dir) {
        root = TestPki.in(dir).root("Root CA");
        chain = root.intermediate("Int 1").server(HOST).chain();
    }

    private VerifyingTrustManager manager(Optional<String> name) {
        return new VerifyingTrustManager(new UpstreamTrust(List.of(root.certificate()), "a certificate in proxy_ssl_trusted_certificate", List.of(), 1,
                InstantSource.system()), name);
    }

    @Test
    void nameComesFromProxySslNameWithoutASocket() throws Exception {
        manager(Optional.of(HOST)).checkServerTrusted(chain, "EC");
        VerificationException wrong = assertThrows(VerificationException.class,
                () -> manager(Optional.of("x.example.com")).checkServerTrusted(chain, "EC"));
        assertEquals("name", wrong.reason());
        CertificateException nameless = assertThrows(CertificateException.class,
                () -> manager(Optional.empty()).checkServerTrusted(chain, "EC"));
        assertTrue(nameless.getMessage().contains("proxy_ssl_name"), nameless.getMessage());
    }

    @Test
    void clientsAreRefusedWithACertificateException() {
        CertificateException e = assertThrows(CertificateException.class,
                () -> manager(Optional.of(HOST)).checkClientTrusted(chain, "EC"));
        assertEquals("loomproxy does not accept TLS clients", e.getMessage());
        assertInstanceOf(X509Certificate.class, manager(Optional.of(HOST)).getAcceptedIssuers()[0]);
    }
}

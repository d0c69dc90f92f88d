package loomproxy.tls.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import loomproxy.testkit.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The path search against a server that sends certificates made to be searched forever. */
class ChainSearchTest {
    /**
     * Sixteen self-issued certificates with one name and one key, none trusted: each one signs every
     * other, so a search that tries every order of them never ends (15! paths). Each certificate is
     * tried once, and the chain is refused as untrusted at once.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void certificatesThatAllSignEachOtherAreRefusedWithoutTryingEveryOrder(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.in(dir);
        X509Certificate anchor = pki.root("Trusted Root").certificate();
        List<X509Certificate> loop = selfIssued(pki, dir, "Loop", 16);
        UpstreamTrust trust = new UpstreamTrust(List.of(anchor), "a certificate in proxy_ssl_trusted_certificate", List.of(), 20, InstantSource.system());
        VerificationException e = assertThrows(VerificationException.class,
                () -> trust.verify(loop.toArray(X509Certificate[]::new), "loop.example"));
        assertEquals(VerifyReason.UNTRUSTED, e.verifyReason(), e.getMessage());
    }

    /** {@code count} certificates, all with subject and issuer CN=name, all with one key. */
    private static List<X509Certificate> selfIssued(TestPki pki, Path dir, String name, int count)
            throws IOException, GeneralSecurityException {
        Path key = dir.resolve("loop-key.pem");
        pki.openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        Path config = Files.writeString(dir.resolve("loop.cnf"), "[ req ]\ndistinguished_name = dn\n[ dn ]\n");
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certs = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Path out = dir.resolve("loop-" + i + ".pem");
            pki.openssl("req", "-x509", "-key", key.toString(), "-subj", "/CN=" + name, "-set_serial", String.valueOf(i),
                    "-days", "2", "-config", config.toString(), "-out", out.toString());
            try (InputStream in = Files.newInputStream(out)) {
                certs.add((X509Certificate) factory.generateCertificate(in));
            }
        }
        return certs;
    }
}

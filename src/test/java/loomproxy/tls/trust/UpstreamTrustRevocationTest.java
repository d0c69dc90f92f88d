package loomproxy.tls.trust;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import loomproxy.testkit.Ca;
import loomproxy.testkit.Crl;
import loomproxy.testkit.Issued;
import loomproxy.testkit.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** proxy_ssl_crl: a revoked certificate anywhere in the chain, and OpenSSL's CRL_CHECK_ALL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamTrustRevocationTest {
    private static final String HOST = "upstream.example.com";

    private TestPki pki;
    private Ca root;
    private Ca goodInt;
    private Ca revokedInt;
    private Issued leaf;
    private Issued revokedLeaf;
    private Issued underRevokedInt;

    @BeforeAll
    void pki(@TempDir Path dir) {
        pki = TestPki.in(dir);
        root = pki.root("Root CA");
        goodInt = root.intermediate("Int 1");
        revokedInt = root.intermediate("Int Revoked");
        leaf = goodInt.server(HOST);
        revokedLeaf = goodInt.server(HOST);
        underRevokedInt = revokedInt.server(HOST);
        goodInt.revoke(revokedLeaf);
        root.revoke(revokedInt.cert());
    }

    UpstreamTrust trust(Crl... crls) {
        List<X509CRL> list = Stream.of(crls).map(Crl::crl).toList();
        return new UpstreamTrust(List.of(root.certificate()), "a certificate in proxy_ssl_trusted_certificate", list, 1, InstantSource.system());
    }

    static VerificationException rejected(UpstreamTrust trust, Issued issued, VerifyReason reason) {
        VerificationException e = assertThrows(VerificationException.class, () -> trust.verify(issued.chain(), HOST));
        assertEquals(reason, e.verifyReason(), e.getMessage());
        return e;
    }

    @Test
    void currentCrlsForEveryCaLetAGoodChainThrough() {
        assertDoesNotThrow(() -> trust(root.crl(), goodInt.crl()).verify(leaf.chain(), HOST));
    }

    @Test
    void revokedLeafIsRejectedWithItsSerialAndIssuer() {
        VerificationException e = rejected(trust(root.crl(), goodInt.crl()), revokedLeaf, VerifyReason.REVOKED);
        assertEquals("revoked: CN=" + HOST + " serial " + revokedLeaf.serial().toString(16).toUpperCase()
                + " revoked by CN=Int 1", e.getMessage());
        assertEquals(BasicReason.REVOKED, ((CertPathValidatorException) e.getCause()).getReason());
    }

    @Test
    void revokedIntermediateIsRejected() {
        VerificationException e = rejected(trust(root.crl(), revokedInt.crl()), underRevokedInt, VerifyReason.REVOKED);
        assertTrue(e.getMessage().startsWith("revoked: CN=Int Revoked serial "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" revoked by CN=Root CA"), e.getMessage());
    }

    @Test
    void aCaWithoutACrlFailsEveryChainThroughIt() {
        VerificationException e = rejected(trust(goodInt.crl()), leaf, VerifyReason.CRL);
        assertEquals("crl: no current CRL from CN=Root CA in proxy_ssl_crl", e.getMessage());
        assertEquals(BasicReason.UNDETERMINED_REVOCATION_STATUS,
                ((CertPathValidatorException) e.getCause()).getReason());
        rejected(trust(root.crl()), leaf, VerifyReason.CRL);
    }

    @Test
    void anExpiredCrlIsNoCrl() {
        Crl stale = root.expiredCrl();
        VerificationException e = rejected(trust(stale, goodInt.crl()), leaf, VerifyReason.CRL);
        assertEquals("crl: no current CRL from CN=Root CA in proxy_ssl_crl (the newest expired "
                + stale.crl().getNextUpdate().toInstant() + ")", e.getMessage());
    }

    @Test
    void aCrlSignedByALookAlikeCaLeavesTheStatusUndetermined() {
        Crl forged = pki.root("Root CA").crl(); // same issuer name, another key: PKIX rejects its signature
        VerificationException e = rejected(trust(forged, goodInt.crl()), leaf, VerifyReason.CRL);
        assertTrue(e.getMessage().startsWith("crl: cannot tell whether CN=Int 1 is revoked by CN=Root CA: "),
                e.getMessage());
    }

    @Test
    void crlCurrencyFollowsTheClock() {
        List<X509CRL> crls = List.of(root.crl().crl(), goodInt.crl().crl());
        var weekLater = new UpstreamTrust(List.of(root.certificate()), "a certificate in proxy_ssl_trusted_certificate", crls, 1, InstantSource.fixed(pki.now().plus(Duration.ofDays(8))));
        assertEquals(VerifyReason.CRL,
                assertThrows(VerificationException.class, () -> weekLater.verify(leaf.chain(), HOST)).verifyReason());
    }

    @Test
    void withoutCrlsRevocationIsNotChecked() {
        assertDoesNotThrow(() -> trust().verify(revokedLeaf.chain(), HOST));
    }
}

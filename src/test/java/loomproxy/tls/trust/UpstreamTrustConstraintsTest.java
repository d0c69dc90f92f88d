package loomproxy.tls.trust;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import loomproxy.testkit.Ca;
import loomproxy.testkit.Issued;
import loomproxy.testkit.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §4: a trusted certificate that is not self-signed keeps its own constraints when it serves
 * as the anchor (CA flag, key usage, path length, extended key usage), as OpenSSL applies a trusted
 * intermediate's; intermediates' extended key usage is checked too. A root is taken on faith.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamTrustConstraintsTest {
    private static final String HOST = "upstream.example.com";

    private TestPki pki;
    private Ca root;

    @BeforeAll
    void pki(@TempDir Path dir) {
        pki = TestPki.in(dir);
        root = pki.root("Root CA");
    }

    static UpstreamTrust trust(int depth, X509Certificate... anchors) {
        return new UpstreamTrust(List.of(anchors), List.of(), depth, InstantSource.system());
    }

    static VerificationException rejected(UpstreamTrust trust, X509Certificate[] chain, String name,
                                          VerifyReason reason) {
        VerificationException e = assertThrows(VerificationException.class, () -> trust.verify(chain, name));
        assertEquals(reason, e.verifyReason(), e.getMessage());
        assertTrue(e.getMessage().indexOf('\n') < 0, e.getMessage());
        return e;
    }

    static PKIXReason pkixReason(VerificationException e) {
        return (PKIXReason) ((CertPathValidatorException) e.getCause()).getReason();
    }

    @Test
    void trustedIntermediateMustBeACa() {
        Ca notCa = root.newIntermediate("Not A CA").notCa().issue();
        VerificationException e = rejected(trust(1, notCa.certificate()), notCa.server(HOST).chain(), HOST,
                VerifyReason.PURPOSE);
        assertEquals("purpose: CN=Not A CA (trust anchor) issues certificates but is not a CA"
                + " (basicConstraints CA:FALSE or absent)", e.getMessage());
        assertEquals(PKIXReason.NOT_CA_CERT, pkixReason(e));
    }

    @Test
    void trustedIntermediateMustBeAllowedToSignCertificates() {
        Ca crlSigner = root.newIntermediate("CRL Signer").keyUsage("cRLSign", "digitalSignature").issue();
        VerificationException e = rejected(trust(1, crlSigner.certificate()), crlSigner.server(HOST).chain(), HOST,
                VerifyReason.PURPOSE);
        assertEquals("purpose: CN=CRL Signer (trust anchor) keyUsage lacks keyCertSign", e.getMessage());
        assertEquals(PKIXReason.INVALID_KEY_USAGE, pkixReason(e));
        Ca noKeyUsage = root.newIntermediate("No Key Usage").keyUsage().issue();
        assertDoesNotThrow(() -> trust(1, noKeyUsage.certificate()).verify(noKeyUsage.server(HOST).chain(), HOST));
    }

    @Test
    void trustedIntermediateKeepsItsPathLength() {
        Ca shortCa = root.newIntermediate("Short CA").pathLen(0).issue();
        Issued direct = shortCa.server(HOST);
        Issued deeper = shortCa.intermediate("Below Short").server(HOST);
        UpstreamTrust trust = trust(2, shortCa.certificate());
        assertDoesNotThrow(() -> trust.verify(direct.chain(), HOST));
        VerificationException e = rejected(trust, deeper.chain(), HOST, VerifyReason.PURPOSE);
        assertEquals("purpose: CN=Short CA (trust anchor) pathlen:0 but 1 intermediate below it", e.getMessage());
        assertEquals(PKIXReason.PATH_TOO_LONG, pkixReason(e));
        // Under the root, PKIX itself applies Short CA's pathlen: the same reason either way.
        rejected(trust(2, root.certificate()), deeper.chain(), HOST, VerifyReason.PURPOSE);
    }

    @Test
    void selfIssuedIntermediatesDoNotCountAgainstPathLength() {
        // RFC 5280 §6.1.4 (l): a self-issued certificate (a key rollover) is not counted.
        Ca shortCa = root.newIntermediate("Rollover CA").pathLen(0).issue();
        Ca rolled = shortCa.newIntermediate("Rollover CA").subject("/CN=Rollover CA").issue();
        assertDoesNotThrow(() -> trust(2, shortCa.certificate()).verify(rolled.server(HOST).chain(), HOST));
    }

    @Test
    void trustedIntermediateWhoseExtendedKeyUsageExcludesServerAuthIsRejected() {
        Ca clientCa = root.newIntermediate("Client CA").eku("clientAuth").issue();
        Issued leaf = clientCa.server(HOST);
        VerificationException anchored = rejected(trust(1, clientCa.certificate()), leaf.chain(), HOST,
                VerifyReason.PURPOSE);
        assertEquals("purpose: CN=Client CA (trust anchor) extendedKeyUsage [clientAuth] lacks serverAuth",
                anchored.getMessage());
        VerificationException below = rejected(trust(1, root.certificate()), leaf.chain(), HOST, VerifyReason.PURPOSE);
        assertEquals("purpose: CN=Client CA extendedKeyUsage [clientAuth] lacks serverAuth", below.getMessage());
    }

    @Test
    void intermediatesExtendedKeyUsageIsCheckedAtAnyDepth() {
        Ca clientCa = root.newIntermediate("Client CA 2").eku("clientAuth", "emailProtection").issue();
        Issued leaf = clientCa.intermediate("Plain Int").server(HOST);
        VerificationException e = rejected(trust(2, root.certificate()), leaf.chain(), HOST, VerifyReason.PURPOSE);
        assertEquals("purpose: CN=Client CA 2 extendedKeyUsage [clientAuth, emailProtection] lacks serverAuth",
                e.getMessage());
    }

    @Test
    void caExtendedKeyUsageWithServerAuthOrAnyIsAccepted() {
        for (String[] eku : List.of(new String[] {"serverAuth", "clientAuth"}, new String[] {"anyExtendedKeyUsage"})) {
            Ca ca = root.newIntermediate("EKU CA " + eku.length).eku(eku).issue();
            Issued leaf = ca.server(HOST);
            assertDoesNotThrow(() -> trust(1, ca.certificate()).verify(leaf.chain(), HOST));
            assertDoesNotThrow(() -> trust(1, root.certificate()).verify(leaf.chain(), HOST));
        }
    }

    @Test
    void selfSignedAnchorIsTakenOnFaith() {
        Ca oddRoot = pki.newRoot("Odd Root").eku("clientAuth").pathLen(0).keyUsage("cRLSign").issue();
        Issued leaf = oddRoot.intermediate("Odd Int").server(HOST);
        assertDoesNotThrow(() -> trust(1, oddRoot.certificate()).verify(leaf.chain(), HOST));
    }
}

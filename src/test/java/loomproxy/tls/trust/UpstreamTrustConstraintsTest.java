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
import java.util.Map;
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
        return new UpstreamTrust(List.of(anchors), "a certificate in proxy_ssl_trusted_certificate", List.of(), depth, InstantSource.system());
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
    void trustedIntermediateNameConstraintsHoldBelowIt() {
        Ca partner = root.newIntermediate("Partner CA").nameConstraints("permitted;DNS:partner.example").issue();
        UpstreamTrust trust = trust(1, partner.certificate());
        assertDoesNotThrow(() -> trust.verify(partner.server("db.partner.example").chain(), "db.partner.example"));
        VerificationException e = rejected(trust, partner.server("db.internal").chain(), "db.internal",
                VerifyReason.NAME);
        assertEquals("name: CN=db.internal [DNS:db.internal] is outside the name constraints of"
                + " CN=Partner CA (trust anchor): permitted [DNS:partner.example]", e.getMessage());
        assertEquals(PKIXReason.INVALID_NAME, pkixReason(e));
        // Without a SAN the JDK's matcher applies a DNS constraint to the CN (the most specific one).
        Issued cnOnly = partner.newServer("db.internal").cnOnly().issue();
        assertEquals("name: CN=db.internal [CN:db.internal] is outside the name constraints of"
                + " CN=Partner CA (trust anchor): permitted [DNS:partner.example]",
                rejected(trust, cnOnly.chain(), "db.internal", VerifyReason.NAME).getMessage());
    }

    @Test
    void trustedIntermediateExcludedSubtreesAndDirectoryNames() {
        Ca ops = root.newIntermediate("Ops CA").nameConstraints("permitted;dirName:O=Partner",
                "excluded;IP:10.0.0.0/255.0.0.0", "excluded;DNS:secret.partner.example").issue();
        UpstreamTrust trust = trust(2, ops.certificate());
        String constraints = " is outside the name constraints of CN=Ops CA (trust anchor): permitted"
                + " [DirName:O=Partner], excluded [IP:10.0.0.0/255.0.0.0, DNS:secret.partner.example]";
        Issued good = ops.newServer("x").subject("/O=Partner/CN=x").ip("192.0.2.1").issue();
        assertDoesNotThrow(() -> trust.verify(good.chain(), "192.0.2.1"));
        Issued tenNet = ops.newServer("x").subject("/O=Partner/CN=x").ip("10.1.2.3").issue();
        assertEquals("name: CN=x,O=Partner [IP:10.1.2.3]" + constraints,
                rejected(trust, tenNet.chain(), "10.1.2.3", VerifyReason.NAME).getMessage());
        Issued secret = ops.newServer("secret.partner.example").subject("/O=Partner/CN=secret.partner.example").issue();
        rejected(trust, secret.chain(), "secret.partner.example", VerifyReason.NAME);
        Issued otherOrg = ops.newServer("x").subject("/O=Other/CN=x").ip("192.0.2.1").issue();
        rejected(trust, otherOrg.chain(), "192.0.2.1", VerifyReason.NAME);
        Ca otherInt = ops.newIntermediate("Other Int").subject("/O=Other/CN=Other Int").issue();
        Issued belowOther = otherInt.newServer("x").subject("/O=Partner/CN=x").ip("192.0.2.1").issue();
        assertEquals("name: CN=Other Int,O=Other [CN:Other Int]" + constraints,
                rejected(trust, belowOther.chain(), "192.0.2.1", VerifyReason.NAME).getMessage());
    }

    @Test
    void nameConstraintsApplyToTheCommonNameTheNameCheckUses() {
        // The JDK's matcher skips a CN that is not a plain host name (a wildcard, an underscore),
        // OpenSSL's cn2dnsid too; the name check would still match it, so it is checked here.
        Ca partner = root.newIntermediate("Partner CA 2").nameConstraints("permitted;DNS:partner.example",
                "excluded;DNS:secret.partner.example").issue();
        Ca partnerInt = root.newIntermediate("Partner Int 2").nameConstraints("permitted;DNS:partner.example").issue();
        for (Ca ca : List.of(partner, partnerInt)) {
            String who = ca == partner ? "CN=Partner CA 2 (trust anchor)" : "CN=Partner Int 2";
            UpstreamTrust trust = trust(1, ca == partner ? partner.certificate() : root.certificate());
            Issued wildcard = ca.newServer("*.db.internal").cnOnly().issue();
            assertTrue(rejected(trust, wildcard.chain(), "x.db.internal", VerifyReason.NAME).getMessage()
                    .startsWith("name: CN=*.db.internal [CN:*.db.internal] is outside the name constraints of " + who));
            Issued underscore = ca.newServer("db_1.internal").cnOnly().issue();
            rejected(trust, underscore.chain(), "db_1.internal", VerifyReason.NAME);
            Issued inside = ca.newServer("*.partner.example").cnOnly().issue();
            assertDoesNotThrow(() -> trust.verify(inside.chain(), "x.partner.example"));
        }
        Issued secret = partner.newServer("*.secret.partner.example").cnOnly().issue();
        rejected(trust(1, partner.certificate()), secret.chain(), "x.secret.partner.example", VerifyReason.NAME);
    }

    @Test
    void onlyTheLastCommonNameIsMatchedAndConstrained() {
        // The JDK constrains the most specific CN only; matching an earlier one would slip past it.
        Ca partner = root.newIntermediate("Partner CA 3").nameConstraints("permitted;DNS:partner.example").issue();
        UpstreamTrust trust = trust(1, partner.certificate());
        Issued earlierOutside = partner.newServer("www.partner.example").cnOnly()
                .subject("/CN=db.internal/CN=www.partner.example").issue();
        assertDoesNotThrow(() -> trust.verify(earlierOutside.chain(), "www.partner.example"));
        assertEquals("name: db.internal not in [CN:www.partner.example]",
                rejected(trust, earlierOutside.chain(), "db.internal", VerifyReason.NAME).getMessage());
        Issued lastOutside = partner.newServer("db.internal").cnOnly()
                .subject("/CN=www.partner.example/CN=db.internal").issue();
        rejected(trust, lastOutside.chain(), "www.partner.example", VerifyReason.NAME);
    }

    @Test
    void intermediateNameConstraintsFailWithReasonName() {
        Ca partnerInt = root.newIntermediate("Partner Int").nameConstraints("permitted;DNS:partner.example").issue();
        VerificationException e = rejected(trust(1, root.certificate()), partnerInt.server("db.internal").chain(),
                "db.internal", VerifyReason.NAME);
        assertEquals("name: CN=db.internal [DNS:db.internal] is outside the name constraints of CN=Partner Int:"
                + " permitted [DNS:partner.example]", e.getMessage());
        assertEquals(PKIXReason.INVALID_NAME, pkixReason(e));
    }

    @Test
    void unreadableOrUnusableNameConstraintsFailClosed() {
        // Truncated (non-critical, else the JDK would not even parse the certificate, and as an
        // intermediate's the JDK would silently drop it); an empty DNS subtree, on which the JDK's
        // matcher throws StringIndexOutOfBoundsException; a maximum, which RFC 5280 forbids.
        Map<String, String> cases = Map.of(
                "nameConstraints = DER:30:03:a0:01",
                " has a nameConstraints extension that cannot be read: length 3 runs past the end of the data",
                "nameConstraints = critical, DER:30:06:a0:04:30:02:82:00",
                " has name constraints the JDK cannot apply to CN=" + HOST + " (StringIndexOutOfBoundsException)",
                "nameConstraints = critical, DER:30:0c:a0:0a:30:08:82:03:61:2e:62:81:01:01",
                " has a nameConstraints extension that cannot be read: a minimum or maximum BaseDistance,"
                        + " which RFC 5280 forbids");
        cases.forEach((extension, problem) -> {
            Ca ca = root.newIntermediate("Odd NC").extension(extension).issue();
            Issued leaf = ca.server(HOST);
            assertEquals("untrusted: CN=Odd NC (trust anchor)" + problem,
                    rejected(trust(1, ca.certificate()), leaf.chain(), HOST, VerifyReason.UNTRUSTED).getMessage());
            rejected(trust(1, root.certificate()), leaf.chain(), HOST, VerifyReason.UNTRUSTED);
        });
    }

    @Test
    void selfSignedAnchorIsTakenOnFaith() {
        Ca oddRoot = pki.newRoot("Odd Root").eku("clientAuth").pathLen(0).keyUsage("cRLSign")
                .nameConstraints("permitted;DNS:partner.example").issue();
        Issued leaf = oddRoot.intermediate("Odd Int").server(HOST);
        assertDoesNotThrow(() -> trust(1, oddRoot.certificate()).verify(leaf.chain(), HOST));
    }
}

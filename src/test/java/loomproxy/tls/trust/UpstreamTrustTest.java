package loomproxy.tls.trust;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.PKIXReason;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import loomproxy.testkit.Ca;
import loomproxy.testkit.Issued;
import loomproxy.testkit.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC §4 verification, straight on {@link UpstreamTrust#verify}: one PKI for the class, read-only. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamTrustTest {
    private static final String HOST = "upstream.example.com";

    private TestPki pki;
    private Ca root;
    private List<Ca> ints;
    /** leafUnder[n] is signed by the n-th intermediate (0: by the root). */
    private final Issued[] leafUnder = new Issued[4];

    @BeforeAll
    void pki(@TempDir Path dir) {
        pki = TestPki.in(dir);
        root = pki.root("Root CA");
        ints = root.intermediates(3);
        leafUnder[0] = root.server(HOST);
        for (int n = 1; n <= 3; n++) {
            leafUnder[n] = ints.get(n - 1).server(HOST);
        }
    }

    UpstreamTrust trust(int depth, X509Certificate... anchors) {
        return new UpstreamTrust(List.of(anchors), "a certificate in proxy_ssl_trusted_certificate", List.of(), depth, InstantSource.system());
    }

    UpstreamTrust trustAt(InstantSource clock) {
        return new UpstreamTrust(List.of(root.certificate()), "a certificate in proxy_ssl_trusted_certificate", List.of(), 3, clock);
    }

    static VerificationException rejected(UpstreamTrust trust, X509Certificate[] chain, VerifyReason reason) {
        VerificationException e = assertThrows(VerificationException.class, () -> trust.verify(chain, HOST));
        assertEquals(reason, e.verifyReason(), e.getMessage());
        assertTrue(e.getMessage().startsWith(reason.logName() + ": "), e.getMessage());
        return e;
    }

    static Stream<Arguments> depths() {
        return IntStream.rangeClosed(0, 3).boxed()
                .flatMap(n -> IntStream.rangeClosed(0, 3).mapToObj(depth -> Arguments.of(n, depth)));
    }

    @ParameterizedTest(name = "{0} intermediates, proxy_ssl_verify_depth {1}")
    @MethodSource("depths")
    void passesIffIntermediatesWithinDepth(int intermediates, int depth) {
        UpstreamTrust trust = trust(depth, root.certificate());
        X509Certificate[] chain = leafUnder[intermediates].chain();
        assertEquals(intermediates + 1, chain.length);
        if (intermediates <= depth) {
            assertDoesNotThrow(() -> trust.verify(chain, HOST));
        } else {
            VerificationException e = rejected(trust, chain, VerifyReason.DEPTH);
            String noun = intermediates == 1 ? " intermediate" : " intermediates";
            assertEquals("depth: " + intermediates + noun + " > proxy_ssl_verify_depth " + depth, e.getMessage());
            assertEquals(PKIXReason.PATH_TOO_LONG, ((CertPathValidatorException) e.getCause()).getReason());
        }
    }

    @Test
    void chainInAnyOrderWithRootAndExtrasStillCountsOnlyThePath() {
        X509Certificate stranger = pki.root("Stranger CA").certificate();
        X509Certificate[] sent = {leafUnder[3].cert(), root.certificate(), ints.get(0).certificate(), stranger,
                ints.get(2).certificate(), ints.get(1).certificate()};
        assertDoesNotThrow(() -> trust(3, root.certificate()).verify(sent, HOST));
        assertEquals("depth: 3 intermediates > proxy_ssl_verify_depth 2",
                rejected(trust(2, root.certificate()), sent, VerifyReason.DEPTH).getMessage());
    }

    @Test
    void leafFromAnotherRootIsUntrusted() {
        Issued foreign = pki.root("Other CA").server(HOST);
        VerificationException e = rejected(trust(3, root.certificate()), foreign.chain(), VerifyReason.UNTRUSTED);
        assertEquals("untrusted: no path from CN=" + HOST + " (issuer CN=Other CA) to a certificate in"
                + " proxy_ssl_trusted_certificate", e.getMessage());
        assertEquals(PKIXReason.NO_TRUST_ANCHOR, ((CertPathValidatorException) e.getCause()).getReason());
    }

    @Test
    void missingIntermediateIsUntrusted() {
        X509Certificate[] withoutInt1 = Arrays.copyOf(leafUnder[2].chain(), 2);
        VerificationException e = rejected(trust(3, root.certificate()), withoutInt1, VerifyReason.UNTRUSTED);
        assertTrue(e.getMessage().contains("via CN=Int 2 (issuer CN=Int 1)"), e.getMessage());
    }

    @Test
    void lookAlikeRootWithTheSameNameButAnotherKeyIsUntrusted() {
        Issued forged = pki.root("Root CA").server(HOST);
        rejected(trust(3, root.certificate()), forged.chain(), VerifyReason.UNTRUSTED);
    }

    @Test
    void trustedIntermediateIsAnAnchorThatPins() {
        UpstreamTrust pinned = trust(1, ints.get(1).certificate()); // Int 2
        assertDoesNotThrow(() -> pinned.verify(leafUnder[3].chain(), HOST)); // leaf -> Int 3 -> [Int 2]
        assertDoesNotThrow(() -> pinned.verify(leafUnder[2].chain(), HOST)); // leaf -> [Int 2]
        assertEquals("depth: 1 intermediate > proxy_ssl_verify_depth 0",
                rejected(trust(0, ints.get(1).certificate()), leafUnder[3].chain(), VerifyReason.DEPTH).getMessage());
        VerificationException e = rejected(pinned, leafUnder[1].chain(), VerifyReason.UNTRUSTED);
        assertTrue(e.getMessage().contains("via CN=Int 1 (issuer CN=Root CA)"), e.getMessage());
    }

    @Test
    void pinnedLeafIsTrustedButStillNameChecked() {
        UpstreamTrust pinned = trust(0, leafUnder[2].cert());
        X509Certificate[] leafOnly = {leafUnder[2].cert()};
        assertDoesNotThrow(() -> pinned.verify(leafOnly, HOST));
        assertThrows(VerificationException.class, () -> pinned.verify(leafOnly, "other.example.com"));
    }

    @Test
    void expiredAndNotYetValidLeafByClock() {
        Issued leaf = leafUnder[1];
        VerificationException late = rejected(trustAt(InstantSource.fixed(pki.now().plus(Duration.ofDays(400)))),
                leaf.chain(), VerifyReason.EXPIRED);
        assertEquals("expired: CN=" + HOST + " expired " + leaf.cert().getNotAfter().toInstant(), late.getMessage());
        assertEquals(BasicReason.EXPIRED, ((CertPathValidatorException) late.getCause()).getReason());
        VerificationException early = rejected(trustAt(InstantSource.fixed(pki.now().minus(Duration.ofDays(2)))),
                leaf.chain(), VerifyReason.NOT_YET_VALID);
        assertEquals("not_yet_valid: CN=" + HOST + " not valid before " + leaf.cert().getNotBefore().toInstant(),
                early.getMessage());
    }

    @Test
    void expiredAndNotYetValidLeafByRealDates() {
        Issued expired = ints.get(0).newServer(HOST).expired().issue();
        Issued early = ints.get(0).newServer(HOST).notYetValid().issue();
        rejected(trust(1, root.certificate()), expired.chain(), VerifyReason.EXPIRED);
        rejected(trust(1, root.certificate()), early.chain(), VerifyReason.NOT_YET_VALID);
    }

    @Test
    void expiredIntermediateIsNamed() {
        Issued leaf = root.newIntermediate("Old Int").expired().issue().server(HOST);
        VerificationException e = rejected(trust(1, root.certificate()), leaf.chain(), VerifyReason.EXPIRED);
        assertTrue(e.getMessage().startsWith("expired: CN=Old Int expired "), e.getMessage());
    }

    @Test
    void expiredAnchorIsCheckedThoughPkixTrustsIt() {
        Ca old = pki.newRoot("Old Root").expired().issue();
        VerificationException e = rejected(trust(1, old.certificate()), old.server(HOST).chain(), VerifyReason.EXPIRED);
        assertEquals("expired: CN=Old Root (trust anchor) expired " + old.certificate().getNotAfter().toInstant(),
                e.getMessage());
        assertEquals(BasicReason.EXPIRED, ((CertPathValidatorException) e.getCause()).getReason());
        Ca young = pki.newRoot("Young Root").notYetValid().issue();
        rejected(trust(1, young.certificate()), young.server(HOST).chain(), VerifyReason.NOT_YET_VALID);
    }

    @Test
    void wrongNameListsTheCertificateNames() {
        Issued leaf = ints.get(0).newServer("leaf").dns("a.example.com", "*.b.example.com").issue();
        VerificationException e = rejected(trust(1, root.certificate()), leaf.chain(), VerifyReason.NAME);
        assertEquals("name: " + HOST + " not in [DNS:a.example.com, DNS:*.b.example.com]", e.getMessage());
        assertDoesNotThrow(() -> trust(1, root.certificate()).verify(leaf.chain(), "x.b.example.com"));
    }

    @Test
    void ipLiteralsMatchIpSansOnly() {
        Issued leaf = ints.get(0).newServer("leaf").ip("192.0.2.7", "2001:db8::7").dns("192.0.2.8").issue();
        UpstreamTrust trust = trust(1, root.certificate());
        assertDoesNotThrow(() -> trust.verify(leaf.chain(), "192.0.2.7"));
        assertDoesNotThrow(() -> trust.verify(leaf.chain(), "2001:DB8:0:0::7"));
        VerificationException e = assertThrows(VerificationException.class, () -> trust.verify(leaf.chain(), "192.0.2.8"));
        assertEquals("name: 192.0.2.8 not in [DNS:192.0.2.8, IP:192.0.2.7, IP:2001:db8:0:0:0:0:0:7]", e.getMessage());
    }

    @Test
    void commonNameCountsOnlyWithoutSans() {
        Issued cnOnly = ints.get(0).newServer(HOST).cnOnly().issue();
        Issued withSan = ints.get(0).newServer(HOST).dns("other.example.com").issue();
        UpstreamTrust trust = trust(1, root.certificate());
        assertDoesNotThrow(() -> trust.verify(cnOnly.chain(), HOST));
        assertEquals("name: " + HOST + " not in [DNS:other.example.com]",
                rejected(trust, withSan.chain(), VerifyReason.NAME).getMessage());
    }

    @Test
    void commonNameStaysOutOfTheSansAfterANameConstraintsCheck() {
        // The JDK's name constraints check adds the CN to the certificate's parsed SANs (as an IP
        // when there is no IP SAN, as a DNS name when there is no DNS SAN); it must not match.
        Ca constrained = root.newIntermediate("Constrained Int").nameConstraints("permitted;DNS:partner.example").issue();
        Issued ipCn = constrained.newServer("192.0.2.9").dns("db.partner.example").issue();
        Issued dnsCn = constrained.newServer("www.partner.example").ip("192.0.2.10").issue();
        UpstreamTrust trust = trust(1, root.certificate());
        assertEquals("name: 192.0.2.9 not in [DNS:db.partner.example]",
                assertThrows(VerificationException.class, () -> trust.verify(ipCn.chain(), "192.0.2.9")).getMessage());
        assertEquals("name: www.partner.example not in [IP:192.0.2.10]", assertThrows(VerificationException.class,
                () -> trust.verify(dnsCn.chain(), "www.partner.example")).getMessage());
    }

    @Test
    void intermediateWithoutCaFlagIsAPurposeFailure() {
        Issued leaf = root.newIntermediate("Not A CA").notCa().issue().server(HOST);
        VerificationException e = rejected(trust(1, root.certificate()), leaf.chain(), VerifyReason.PURPOSE);
        assertTrue(e.getMessage().startsWith("purpose: CN=Not A CA "), e.getMessage());
        assertEquals(PKIXReason.NOT_CA_CERT, ((CertPathValidatorException) e.getCause()).getReason());
    }

    @Test
    void leafMustBeUsableByATlsServer() {
        UpstreamTrust trust = trust(1, root.certificate());
        Issued clientOnly = ints.get(0).newServer(HOST).clientAuthOnly().issue();
        assertEquals("purpose: CN=" + HOST + " extendedKeyUsage [clientAuth] lacks serverAuth",
                rejected(trust, clientOnly.chain(), VerifyReason.PURPOSE).getMessage());
        Issued signsOnlyCrls = ints.get(0).newServer(HOST).keyUsage("cRLSign").issue();
        rejected(trust, signsOnlyCrls.chain(), VerifyReason.PURPOSE);
        Issued anyEku = ints.get(0).newServer(HOST).eku("anyExtendedKeyUsage").issue();
        Issued noEku = ints.get(0).newServer(HOST).eku().issue();
        assertDoesNotThrow(() -> trust.verify(anyEku.chain(), HOST));
        assertDoesNotThrow(() -> trust.verify(noEku.chain(), HOST));
    }

    @Test
    void rsaChainsVerifyToo() {
        Ca rsaRoot = pki.newRoot("RSA Root").rsa().issue();
        Issued leaf = rsaRoot.newServer(HOST).rsa().issue();
        assertDoesNotThrow(() -> trust(0, rsaRoot.certificate()).verify(leaf.chain(), HOST));
    }

    @Test
    void emptyChainIsUntrusted() {
        rejected(trust(1, root.certificate()), new X509Certificate[0], VerifyReason.UNTRUSTED);
    }

    @Test
    void jdkDefaultCasAreAvailable() throws Exception {
        assertTrue(UpstreamTrust.jdkDefaultCas().size() > 10);
    }
}

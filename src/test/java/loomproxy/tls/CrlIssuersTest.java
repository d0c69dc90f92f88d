package loomproxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import loomproxy.config.Location;
import loomproxy.config.Problem;
import loomproxy.config.Problems;
import loomproxy.testkit.Ca;
import loomproxy.testkit.Crl;
import loomproxy.testkit.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy_ssl_crl checked against proxy_ssl_trusted_certificate at load: what verification would refuse per session. */
class CrlIssuersTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static Ca root;
    static Ca int1;

    private static final Path TRUSTED = Path.of("/etc/loomproxy/ca.pem");
    private static final Path CRLS = Path.of("/etc/loomproxy/crl.pem");
    private static final Location WHERE = new Location(Path.of("loomproxy.properties"), 7);

    @BeforeAll
    static void pki() {
        pki = TestPki.in(dir);
        root = pki.root("TestCA");
        int1 = root.intermediate("Int 1");
    }

    private final Problems problems = new Problems();

    private void check(List<Ca> trusted, Crl... crls) {
        List<X509Certificate> anchors = trusted.stream().map(Ca::certificate).toList();
        List<X509CRL> parsed = Arrays.stream(crls).map(Crl::crl).toList();
        CrlIssuers.check(anchors, TRUSTED, parsed, CRLS, "proxy_ssl_crl", WHERE, problems);
    }

    private List<String> errors() {
        return problems.list().stream().map(Problem::toString).toList();
    }

    private List<String> warnings() {
        return problems.warnings().stream().map(Problem::toString).toList();
    }

    @Test
    void theAnchorsCrlAndAnIntermediatesCrlAreAcceptedSilently() {
        check(List.of(root), root.crl(), int1.crl());
        assertEquals(List.of(), errors());
        assertEquals(List.of(), warnings());
    }

    /** QA's (a): ca2.crl beside a trusted file holding only CN=TestCA; every session failed with "no current CRL". */
    @Test
    void aCrlFromAnotherCaOnlyIsAWarningThatNamesTheMissingCrl() {
        check(List.of(root), pki.root("CA2").crl());
        assertEquals(List.of(), errors());
        assertEquals(List.of("loomproxy.properties:7: proxy_ssl_crl: no certificate in /etc/loomproxy/ca.pem has a CRL in"
                + " /etc/loomproxy/crl.pem, so every upstream fails verification with reason crl (every CA of a chain needs"
                + " one, the trusted one included): add the CRL of CN=TestCA to /etc/loomproxy/crl.pem"), warnings());
    }

    /** QA's (b): a CRL naming CN=TestCA but signed by another key; every session failed with "cannot tell whether". */
    @Test
    void aCrlInTheAnchorsNameSignedByAnotherKeyIsAnError() {
        check(List.of(root), pki.root("TestCA").crl(), int1.crl());
        assertEquals(List.of("loomproxy.properties:7: proxy_ssl_crl: the CRL from CN=TestCA in /etc/loomproxy/crl.pem is not"
                + " signed by CN=TestCA's key in /etc/loomproxy/ca.pem (Signature does not match): replace it with a CRL"
                + " that CN=TestCA signed, or, if CN=TestCA has a new key, add its new certificate to /etc/loomproxy/ca.pem"),
                errors());
        assertEquals(List.of(), warnings(), "the forged CRL is the one problem, not also a missing CRL");
    }

    @Test
    void theSameForgedCrlTwiceIsOneError() {
        Crl forged = pki.root("TestCA").crl();
        check(List.of(root), forged, forged);
        assertEquals(1, errors().size(), errors().toString());
    }

    /** A CA that changed its key keeps its name: a CRL signed by either trusted certificate's key is its own. */
    @Test
    void aCrlSignedByAnyTrustedCertificateOfThatNameIsAccepted() {
        Ca renewed = pki.root("TestCA");
        check(List.of(root, renewed), renewed.crl());
        assertEquals(List.of(), errors());
        assertEquals(List.of(), warnings());
    }

    /** Expiry is TlsWarnings' to tell (CheckFilesTest.aCrlPastItsNextUpdateIsNamed); an expired CRL is still the anchor's. */
    @Test
    void anExpiredCrlOfTheAnchorIsNotAlsoAMissingOne() {
        check(List.of(root), root.expiredCrl());
        assertEquals(List.of(), errors());
        assertEquals(List.of(), warnings());
    }

    @Test
    void oneAnchorWithACrlIsEnoughToStaySilent() {
        Ca other = pki.root("Other CA");
        check(List.of(other, root), root.crl());
        assertEquals(List.of(), warnings());
    }

    @Test
    void manyAnchorsWithoutACrlAreNamedUpToThree() {
        List<Ca> five = List.of(root, pki.root("B"), pki.root("C"), pki.root("D"), pki.root("E"));
        check(five, int1.crl());
        assertEquals(1, warnings().size(), warnings().toString());
        String warning = warnings().get(0);
        assertTrue(warning.endsWith(": add the CRL of CN=TestCA, CN=B, CN=C and 2 more to /etc/loomproxy/crl.pem"),
                warning);
    }

    @Test
    void noCrlsNoCheck() {
        check(List.of(root));
        assertEquals(List.of(), errors());
        assertEquals(List.of(), warnings());
    }
}

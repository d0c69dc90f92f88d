package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoPkiTest {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private final DemoPki pki = DemoPki.create();

    /** The JDK's own RFC 5280 path validation, which checks signature, names, dates and CA flags. */
    private static void validate(X509Certificate leaf, X509Certificate ca) throws Exception {
        var factory = CertificateFactory.getInstance("X.509");
        var parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(List.of(leaf)), parameters);
    }

    @Test
    void pkixValidatesServerAndClientAgainstTheCa() throws Exception {
        validate(pki.server().certificate(), pki.ca());
        validate(pki.client().certificate(), pki.ca());
    }

    @Test
    void pkixRejectsACertificateFromAnotherDemoCa() {
        // Same issuer name, different key: the JDK matches the AKI to no anchor and stops there.
        var other = DemoPki.create();
        var e = assertThrows(CertPathValidatorException.class,
                () -> validate(other.server().certificate(), pki.ca()));
        assertEquals(PKIXReason.NO_TRUST_ANCHOR, e.getReason(), e.toString());
    }

    @Test
    void caIsACriticallyMarkedCertificateSigner() {
        X509Certificate ca = pki.ca();
        assertEquals("CN=loomproxy demo CA", ca.getSubjectX500Principal().getName());
        assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
        assertEquals(Integer.MAX_VALUE, ca.getBasicConstraints()); // CA:TRUE, no path length
        assertEquals(Set.of("2.5.29.19", "2.5.29.15"), ca.getCriticalExtensionOIDs());
        boolean[] usage = ca.getKeyUsage();
        assertTrue(usage[5] && usage[6], "keyCertSign and cRLSign");
        assertEquals(2, countTrue(usage));
        assertEquals(3, ca.getVersion());
        assertEquals("SHA256withECDSA", ca.getSigAlgName());
    }

    @Test
    void serverNamesLocalhostAndLoopbackForServerAuthOnly() throws Exception {
        X509Certificate server = pki.server().certificate();
        assertEquals("CN=localhost", server.getSubjectX500Principal().getName());
        assertEquals(pki.ca().getSubjectX500Principal(), server.getIssuerX500Principal());
        assertEquals(List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1")),
                List.copyOf(server.getSubjectAlternativeNames()));
        assertEquals(List.of(SERVER_AUTH), server.getExtendedKeyUsage());
        assertEndEntity(server);
    }

    @Test
    void clientIsForClientAuthOnly() throws Exception {
        X509Certificate client = pki.client().certificate();
        assertEquals("CN=loomproxy demo client", client.getSubjectX500Principal().getName());
        assertEquals(List.of(CLIENT_AUTH), client.getExtendedKeyUsage());
        assertEndEntity(client);
    }

    private void assertEndEntity(X509Certificate leaf) {
        assertEquals(-1, leaf.getBasicConstraints());
        assertEquals(Set.of("2.5.29.15"), leaf.getCriticalExtensionOIDs());
        assertTrue(leaf.getKeyUsage()[0], "digitalSignature");
        assertEquals(1, countTrue(leaf.getKeyUsage()));
        // The AKI's [0] keyIdentifier must equal the CA's SKI. Headers: OCTET STRING (extnValue),
        // then OCTET STRING for the SKI, or SEQUENCE and [0] for the AKI.
        byte[] caKeyId = unwrap(pki.ca().getExtensionValue("2.5.29.14"), 4);
        byte[] authorityKeyId = unwrap(leaf.getExtensionValue("2.5.29.35"), 6);
        assertArrayEquals(caKeyId, authorityKeyId);
        assertNotEquals(null, leaf.getExtensionValue("2.5.29.14"), "subject key identifier");
    }

    /** Drops the DER headers in front of a key identifier (all short-form lengths here). */
    private static byte[] unwrap(byte[] extensionValue, int headerBytes) {
        return Arrays.copyOfRange(extensionValue, headerBytes, extensionValue.length);
    }

    private static int countTrue(boolean[] bits) {
        int n = 0;
        for (boolean bit : bits) {
            n += bit ? 1 : 0;
        }
        return n;
    }

    @Test
    void serialsArePositiveSixteenByteAndDistinct() {
        List<BigInteger> serials = List.of(pki.ca().getSerialNumber(),
                pki.server().certificate().getSerialNumber(), pki.client().certificate().getSerialNumber());
        for (BigInteger serial : serials) {
            assertEquals(1, serial.signum());
            assertEquals(16, serial.toByteArray().length, serial.toString(16));
        }
        assertEquals(3, Set.copyOf(serials).size());
    }

    @Test
    void validityRunsFromAnHourAgoTo90DaysAhead() {
        Instant before = Instant.now().minusSeconds(1); // certificate times are whole seconds
        X509Certificate server = DemoPki.create().server().certificate();
        Instant after = Instant.now();
        assertWithin(server.getNotBefore().toInstant(), before.minusSeconds(3600), after.minusSeconds(3600));
        long days90 = 90 * 86400L;
        assertWithin(server.getNotAfter().toInstant(), before.plusSeconds(days90), after.plusSeconds(days90));
    }

    private static void assertWithin(Instant actual, Instant earliest, Instant latest) {
        assertTrue(!actual.isBefore(earliest) && !actual.isAfter(latest),
                actual + " not in " + earliest + ".." + latest);
    }

    @Test
    void datesFrom2050OnAreGeneralizedTimeAndParseBackExactly() {
        // A UTCTime "50..." would read back as 1950, so the JDK parse below catches a wrong type.
        var pki2049 = DemoPki.create(Instant.parse("2049-12-31T12:00:00Z"));
        X509Certificate ca = pki2049.ca();
        assertEquals(Instant.parse("2049-12-31T11:00:00Z"), ca.getNotBefore().toInstant());
        assertEquals(Instant.parse("2050-03-31T12:00:00Z"), ca.getNotAfter().toInstant());
    }

    @Test
    void pemRoundTripsThroughTheJdkParsers() throws Exception {
        String certificatePem = DemoPki.pem(pki.server().certificate());
        var factory = CertificateFactory.getInstance("X.509");
        var parsed = factory.generateCertificate(
                new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(pki.server().certificate(), parsed);

        String keyPem = DemoPki.pem(pki.server().key());
        assertTrue(keyPem.startsWith("-----BEGIN PRIVATE KEY-----\n"), keyPem);
        assertTrue(keyPem.endsWith("\n-----END PRIVATE KEY-----\n"), keyPem);
        String body = keyPem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        var pkcs8 = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(pkcs8);
        assertEquals(pki.server().key(), key);
    }

    @Test
    void pemLinesAreAtMost64Characters() {
        String pem = DemoPki.pem(pki.server().certificate());
        List<String> lines = pem.lines().toList();
        assertEquals("-----BEGIN CERTIFICATE-----", lines.get(0));
        assertEquals("-----END CERTIFICATE-----", lines.get(lines.size() - 1));
        for (String line : lines.subList(1, lines.size() - 2)) {
            assertEquals(64, line.length(), line);
        }
        assertTrue(lines.get(lines.size() - 2).length() <= 64);
    }
}

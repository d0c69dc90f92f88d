package loomproxy.tls.pem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import loomproxy.testkit.OpenSsl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrivateKeysTest {
    private static final List<char[]> NONE = List.of();
    private static final List<char[]> RIGHT = List.of("right".toCharArray());

    /** RSA keygen is the slow part, so the keys and certificates are made once per class. */
    @TempDir static Path pki;
    private static X509Certificate rsaCertificate;
    private static X509Certificate ecCertificate;

    @TempDir Path dir;

    @BeforeAll
    static void makeKeys() throws PemException {
        OpenSsl.run(pki, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.key");
        rsaCertificate = PemFiles.certificates(OpenSsl.selfSigned(pki, "rsa.key", "rsa.crt", "rsa")).get(0);
        OpenSsl.ecKey(pki, "ec.key", "P-256");
        ecCertificate = PemFiles.certificates(OpenSsl.selfSigned(pki, "ec.key", "ec.crt", "ec")).get(0);
    }

    @Test
    void readsRsaPkcs8AndMatchesItsCertificate() throws PemException {
        PrivateKey key = PrivateKeys.read(pki.resolve("rsa.key"), NONE);
        assertEquals("RSA", key.getAlgorithm());
        assertTrue(PrivateKeys.matches(key, rsaCertificate));
        assertFalse(PrivateKeys.matches(key, ecCertificate));
    }

    @Test
    void readsRsaPkcs1() throws Exception {
        Path key = convert("rsa", "-in", pki.resolve("rsa.key").toString(), "-traditional", "-out", "pkcs1.key");
        assertTrue(Files.readString(key).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertTrue(PrivateKeys.matches(PrivateKeys.read(key, NONE), rsaCertificate));
    }

    @Test
    void readsEcSec1AndMatchesOnlyItsOwnCertificate() throws Exception {
        Path key = convert("ec", "-in", pki.resolve("ec.key").toString(), "-out", "sec1.key");
        assertTrue(Files.readString(key).startsWith("-----BEGIN EC PRIVATE KEY-----"));
        PrivateKey read = PrivateKeys.read(key, NONE);
        assertTrue(PrivateKeys.matches(read, ecCertificate));
        assertFalse(PrivateKeys.matches(read, rsaCertificate));
        PrivateKey other = PrivateKeys.read(OpenSsl.ecKey(dir, "other.key", "P-256"), NONE);
        assertFalse(PrivateKeys.matches(other, ecCertificate));
    }

    @Test
    void skipsEcParametersBeforeAP384Sec1Key() throws Exception {
        OpenSsl.run(dir, "ecparam", "-name", "secp384r1", "-genkey", "-out", "p384.key");
        Path key = dir.resolve("p384.key");
        assertTrue(Files.readString(key).startsWith("-----BEGIN EC PARAMETERS-----"));
        ECPrivateKey read = (ECPrivateKey) PrivateKeys.read(key, NONE);
        assertEquals(384, read.getParams().getCurve().getField().getFieldSize());
        OpenSsl.selfSigned(dir, "p384.key", "p384.crt", "p384");
        assertTrue(PrivateKeys.matches(read, PemFiles.certificates(dir.resolve("p384.crt")).get(0)));
    }

    @Test
    void readsEd25519Pkcs8() throws PemException {
        OpenSsl.run(dir, "genpkey", "-algorithm", "ed25519", "-out", "ed.key");
        PrivateKey key = PrivateKeys.read(dir.resolve("ed.key"), NONE);
        assertTrue(List.of("Ed25519", "EdDSA").contains(key.getAlgorithm()), key.getAlgorithm());
        X509Certificate certificate = PemFiles.certificates(OpenSsl.selfSigned(dir, "ed.key", "ed.crt", "ed")).get(0);
        assertTrue(PrivateKeys.matches(key, certificate));
        assertFalse(PrivateKeys.matches(key, ecCertificate));
    }

    @Test
    void readsRsaPssKeyAndMatchesItsCertificate() throws PemException {
        OpenSsl.run(dir, "genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "pss.key");
        PrivateKey key = PrivateKeys.read(dir.resolve("pss.key"), NONE);
        assertEquals("RSASSA-PSS", key.getAlgorithm());
        X509Certificate certificate = PemFiles.certificates(OpenSsl.selfSigned(dir, "pss.key", "pss.crt", "pss")).get(0);
        assertTrue(PrivateKeys.matches(key, certificate));
        assertFalse(PrivateKeys.matches(key, rsaCertificate));
    }

    @Test
    void decryptsPkcs8Pbes2WithTheRightPassphrase() throws PemException {
        Path key = convert("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", pki.resolve("rsa.key").toString(),
                "-passout", "pass:right", "-out", "enc.key");
        assertTrue(PrivateKeys.matches(PrivateKeys.read(key, RIGHT), rsaCertificate));
        assertMessage("the passphrase in proxy_ssl_password_file does not decrypt " + key,
                () -> PrivateKeys.read(key, List.of("wrong".toCharArray())));
        assertMessage(key + " is encrypted: set proxy_ssl_password_file to a file with its passphrase",
                () -> PrivateKeys.read(key, NONE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-v2 aes-256-cbc", "-v2 aes-128-cbc -v2prf hmacWithSHA1", "-v2 aes-256-cbc -v2prf hmacWithSHA512",
            "-v1 PBE-SHA1-3DES"})
    void decryptsTheEncryptedPkcs8SchemesOpensslOffers(String scheme) throws PemException {
        List<String> args = new ArrayList<>(List.of("-topk8", "-in", pki.resolve("ec.key").toString(),
                "-passout", "pass:right"));
        args.addAll(List.of(scheme.split(" ")));
        args.addAll(List.of("-out", "enc.key"));
        Path key = convert("pkcs8", args.toArray(String[]::new));
        assertTrue(PrivateKeys.matches(PrivateKeys.read(key, RIGHT), ecCertificate));
    }

    @Test
    void decryptsOpenSsl3GenpkeyOutputWithTheSecondLineOfThePasswordFile() throws Exception {
        OpenSsl.run(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-aes256",
                "-pass", "pass:right", "-out", "enc.key");
        Path passwords = Files.writeString(dir.resolve("passwords"), "wrong\r\nright\r\n");
        PrivateKey key = PrivateKeys.read(dir.resolve("enc.key"), PemFiles.passphrases(passwords));
        assertEquals("EC", key.getAlgorithm());
    }

    @Test
    void reportsHowManyPassphrasesFailed() {
        Path key = convert("pkcs8", "-topk8", "-v2", "aes-128-cbc", "-in", pki.resolve("ec.key").toString(),
                "-passout", "pass:right", "-out", "enc.key");
        assertMessage("none of the 2 passphrases in proxy_ssl_password_file decrypts " + key,
                () -> PrivateKeys.read(key, List.of("one".toCharArray(), "two".toCharArray())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-aes256", "-aes128", "-des3"})
    void decryptsLegacyEncryptedRsa(String cipher) throws Exception {
        Path key = convert("rsa", "-in", pki.resolve("rsa.key").toString(), "-traditional", cipher,
                "-passout", "pass:right", "-out", "legacy.key");
        assertTrue(Files.readString(key).contains("Proc-Type: 4,ENCRYPTED"));
        assertTrue(PrivateKeys.matches(PrivateKeys.read(key, List.of("wrong".toCharArray(), "right".toCharArray())), rsaCertificate));
        assertMessage("none of the 2 passphrases in proxy_ssl_password_file decrypts " + key,
                () -> PrivateKeys.read(key, List.of("wrong".toCharArray(), "Right".toCharArray())));
    }

    @Test
    void decryptsLegacyEncryptedEc() throws Exception {
        Path key = convert("ec", "-in", pki.resolve("ec.key").toString(), "-aes256", "-passout", "pass:right", "-out", "legacy.key");
        assertTrue(Files.readString(key).contains("DEK-Info: AES-256-CBC,"));
        assertTrue(PrivateKeys.matches(PrivateKeys.read(key, RIGHT), ecCertificate));
        assertMessage(key + " is encrypted: set proxy_ssl_password_file", () -> PrivateKeys.read(key, NONE));
    }

    @Test
    void toleratesCrlfAndTextAroundTheBlock() throws Exception {
        Path sec1 = convert("ec", "-in", pki.resolve("ec.key").toString(), "-out", "sec1.key");
        String text = "Bag Attributes\n    friendlyName: client\nKey Attributes: <No Attributes>\n"
                + Files.readString(sec1) + "trailing words\n";
        Path key = Files.writeString(dir.resolve("crlf.key"), text.replace("\n", "\r\n"));
        assertTrue(PrivateKeys.matches(PrivateKeys.read(key, NONE), ecCertificate));
    }

    @Test
    void readsTheKeyOfACombinedCertificateAndKeyFile() throws Exception {
        Path combined = Files.writeString(dir.resolve("combined.pem"),
                Files.readString(pki.resolve("ec.crt")) + Files.readString(pki.resolve("ec.key")));
        assertTrue(PrivateKeys.matches(PrivateKeys.read(combined, NONE), ecCertificate));
    }

    @Test
    void namesTheMissingFileWithTheOsReason() {
        Path missing = dir.resolve("missing.key");
        assertMessage("cannot read " + missing + ": No such file or directory", () -> PrivateKeys.read(missing, NONE));
        assertMessage("cannot read " + dir + ": Is a directory", () -> PrivateKeys.read(dir, NONE));
    }

    @Test
    void namesAnUnreadableFile() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads every file");
        Path key = Files.copy(pki.resolve("ec.key"), dir.resolve("locked.key"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
        assertMessage("cannot read " + key + ": Permission denied", () -> PrivateKeys.read(key, NONE));
    }

    @Test
    void saysWhenTheCertificateWasGivenInsteadOfTheKey() {
        Path certificate = pki.resolve("ec.crt");
        assertMessage(certificate + " has no PEM private key (found CERTIFICATE): give the key file, not the certificate",
                () -> PrivateKeys.read(certificate, NONE));
    }

    @Test
    void saysWhenTheFileHasNoPemAtAll() throws IOException {
        OpenSsl.run(dir, "pkey", "-in", pki.resolve("ec.key").toString(), "-outform", "DER", "-out", "ec.der");
        Path der = dir.resolve("ec.der");
        assertMessage(der + " has no PEM private key (found no PEM block)", () -> PrivateKeys.read(der, NONE));
    }

    @Test
    void namesAnUnsupportedCurve() {
        OpenSsl.run(dir, "ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", "k1.key");
        assertMessage("unsupported EC curve secp256k1 (OID 1.3.132.0.10)", () -> PrivateKeys.read(dir.resolve("k1.key"), NONE));
    }

    @Test
    void rejectsExplicitCurveParameters() {
        OpenSsl.run(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-param_enc", "explicit", "-out", "explicit.key");
        assertMessage("explicit parameters, which the JDK cannot use: convert it with openssl ec -param_enc named_curve",
                () -> PrivateKeys.read(dir.resolve("explicit.key"), NONE));
    }

    @Test
    void namesAnUnsupportedKeyAlgorithm() {
        OpenSsl.run(dir, "genpkey", "-algorithm", "X25519", "-out", "x.key");
        assertMessage("unsupported key algorithm X25519 (OID 1.3.101.110)", () -> PrivateKeys.read(dir.resolve("x.key"), NONE));
    }

    @Test
    void namesAnEncryptionTheJdkLacks() {
        Path key = convert("pkcs8", "-topk8", "-scrypt", "-in", pki.resolve("ec.key").toString(),
                "-passout", "pass:right", "-out", "scrypt.key");
        assertMessage("uses PBES2 with scrypt and aes-256-cbc, which the JDK cannot decrypt", () -> PrivateKeys.read(key, RIGHT));
    }

    @Test
    void namesALegacyCipherTheJdkLacks() {
        Path key = convert("rsa", "-in", pki.resolve("rsa.key").toString(), "-traditional", "-aria256",
                "-passout", "pass:right", "-out", "aria.key");
        assertMessage("RSA PRIVATE KEY at line 1 is encrypted with ARIA-256-CBC, which loomproxy cannot decrypt",
                () -> PrivateKeys.read(key, RIGHT));
    }

    @Test
    void namesAKeyFormatItCannotRead() throws IOException {
        Path key = Files.writeString(dir.resolve("ssh.key"), "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
        assertMessage(key + ": OPENSSH PRIVATE KEY at line 1 is a key format loomproxy cannot read", () -> PrivateKeys.read(key, NONE));
    }

    @Test
    void saysWhenTheKeyIsNotDer() throws IOException {
        String junk = Base64.getEncoder().encodeToString("not a key".getBytes());
        Path key = Files.writeString(dir.resolve("junk.key"), "-----BEGIN PRIVATE KEY-----\n" + junk + "\n-----END PRIVATE KEY-----\n");
        assertMessage(key + ": PRIVATE KEY is not valid DER", () -> PrivateKeys.read(key, NONE));
    }

    private Path convert(String command, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        OpenSsl.run(dir, all);
        return dir.resolve(args[args.length - 1]);
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        PemException e = assertThrows(PemException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "expected \"" + expected + "\" in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), () -> "not one line: " + e.getMessage());
    }
}

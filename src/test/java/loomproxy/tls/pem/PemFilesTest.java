package loomproxy.tls.pem;

import static loomproxy.tls.pem.PrivateKeysTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import loomproxy.testkit.OpenSsl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {
    /** root -> intermediate -> leaf, and a CRL from root that revokes the intermediate. */
    @TempDir static Path pki;
    @TempDir Path dir;

    @BeforeAll
    static void makePki() throws IOException {
        OpenSsl.run(pki, "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "root.key", "-subj", "/CN=root", "-days", "1", "-out", "root.crt");
        issue("intermediate", "root", "2");
        issue("leaf", "intermediate", "3");
        Files.writeString(pki.resolve("ca.cnf"), """
                [ca]
                default_ca = root
                [root]
                database = index.txt
                crlnumber = crlnumber
                certificate = root.crt
                private_key = root.key
                new_certs_dir = .
                default_md = sha256
                default_crl_days = 1
                """);
        Files.writeString(pki.resolve("index.txt"), "");
        Files.writeString(pki.resolve("crlnumber"), "1000\n");
        OpenSsl.run(pki, "ca", "-config", "ca.cnf", "-revoke", "intermediate.crt");
        OpenSsl.run(pki, "ca", "-config", "ca.cnf", "-gencrl", "-out", "crl.pem");
    }

    private static void issue(String name, String issuer, String serial) {
        OpenSsl.run(pki, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-subj", "/CN=" + name, "-out", name + ".csr");
        OpenSsl.run(pki, "x509", "-req", "-in", name + ".csr", "-CA", issuer + ".crt", "-CAkey", issuer + ".key",
                "-set_serial", serial, "-days", "1", "-out", name + ".crt");
    }

    @Test
    void keepsChainOrderAndSkipsTheTextOpensslWritesAroundCertificates() throws Exception {
        String dump = OpenSsl.run(pki, "x509", "-in", "leaf.crt", "-text");
        String text = "Bag Attributes\n    localKeyID: 01 02\nsubject=/CN=leaf\n" + dump
                + "Bag Attributes\n    friendlyName: intermediate\n" + pem("intermediate.crt") + "the end\n";
        Path chain = Files.writeString(dir.resolve("chain.pem"), text.replace("\n", "\r\n"));
        List<X509Certificate> certificates = PemFiles.certificates(chain);
        assertEquals(List.of("CN=leaf", "CN=intermediate"),
                certificates.stream().map(c -> c.getSubjectX500Principal().getName()).toList());
    }

    @Test
    void readsTrustedCertificateBlocks() throws Exception {
        OpenSsl.run(pki, "x509", "-in", "root.crt", "-trustout", "-addtrust", "serverAuth", "-out", dir.resolve("trusted.pem").toString());
        assertTrue(pem(dir.resolve("trusted.pem").toString()).contains("BEGIN TRUSTED CERTIFICATE"));
        assertEquals("CN=root", PemFiles.certificates(dir.resolve("trusted.pem")).get(0).getSubjectX500Principal().getName());
    }

    @Test
    void readsCrlsFromOpensslCa() throws Exception {
        Path file = Files.writeString(dir.resolve("crls.pem"), pem("crl.pem") + pem("crl.pem"));
        List<X509CRL> crls = PemFiles.crls(file);
        assertEquals(2, crls.size());
        assertEquals("CN=root", crls.get(0).getIssuerX500Principal().getName());
        X509Certificate intermediate = PemFiles.certificates(pki.resolve("intermediate.crt")).get(0);
        X509Certificate leaf = PemFiles.certificates(pki.resolve("leaf.crt")).get(0);
        assertTrue(crls.get(0).isRevoked(intermediate));
        assertTrue(!crls.get(0).isRevoked(leaf));
    }

    @Test
    void saysWhatTheFileHeldInsteadOfCertificatesOrCrls() {
        Path key = pki.resolve("leaf.key");
        assertMessage(key + " has no PEM certificate (found PRIVATE KEY)", () -> PemFiles.certificates(key));
        Path certificate = pki.resolve("leaf.crt");
        assertMessage(certificate + " has no PEM X509 CRL (found CERTIFICATE)", () -> PemFiles.crls(certificate));
    }

    @Test
    void namesTheCertificateOrCrlThatIsNotDer() throws Exception {
        String junk = block("CERTIFICATE", "not a certificate");
        Path chain = Files.writeString(dir.resolve("chain.pem"), pem("leaf.crt") + junk);
        assertMessage(chain + ": certificate 2 is not valid DER (", () -> PemFiles.certificates(chain));
        Path crl = Files.writeString(dir.resolve("crl.pem"), block("X509 CRL", "not a crl"));
        assertMessage(crl + ": CRL 1 is not valid DER (", () -> PemFiles.crls(crl));
    }

    @Test
    void namesDamagedPem() throws Exception {
        Path badBase64 = Files.writeString(dir.resolve("b64.pem"), "x\n-----BEGIN CERTIFICATE-----\nMII*\n-----END CERTIFICATE-----\n");
        assertMessage(badBase64 + ": PEM CERTIFICATE at line 2 is not valid base64", () -> PemFiles.certificates(badBase64));
        String leaf = pem("leaf.crt");
        Path truncated = Files.writeString(dir.resolve("cut.pem"), leaf.substring(0, leaf.indexOf("-----END")));
        assertMessage(truncated + ": PEM CERTIFICATE at line 1 has no \"-----END CERTIFICATE-----\" line",
                () -> PemFiles.certificates(truncated));
        Path mismatched = Files.writeString(dir.resolve("mismatch.pem"), leaf.replace("END CERTIFICATE", "END X509 CRL"));
        assertMessage(mismatched + ": PEM CERTIFICATE at line 1 ends with \"-----END X509 CRL-----\"",
                () -> PemFiles.certificates(mismatched));
    }

    @Test
    void namesMissingFilesWithTheOsReason() {
        Path missing = dir.resolve("missing.crt");
        assertMessage("cannot read " + missing + ": No such file or directory", () -> PemFiles.certificates(missing));
        assertMessage("cannot read " + missing + ": No such file or directory", () -> PemFiles.crls(missing));
        assertMessage("cannot read " + missing + ": No such file or directory", () -> PemFiles.passphrases(missing));
        assertEquals("Permission denied", PemFiles.reason(new AccessDeniedException(missing.toString())));
    }

    @Test
    void readsOnePassphrasePerLineInOrderSkippingEmptyLines() throws Exception {
        Path file = Files.writeString(dir.resolve("passwords"), "first\r\n\r\n second with spaces \n\nthird");
        List<char[]> passphrases = PemFiles.passphrases(file);
        assertEquals(3, passphrases.size());
        assertArrayEquals("first".toCharArray(), passphrases.get(0));
        assertArrayEquals(" second with spaces ".toCharArray(), passphrases.get(1));
        assertArrayEquals("third".toCharArray(), passphrases.get(2));
    }

    @Test
    void rejectsAPasswordFileWithoutPassphrases() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\r\n\n");
        assertMessage(empty + " has no passphrase: write the key's passphrase on the first line", () -> PemFiles.passphrases(empty));
        Path latin1 = Files.write(dir.resolve("latin1"), new byte[] {'p', (byte) 0xE4, 's', 's'});
        assertMessage(latin1 + " is not UTF-8 text", () -> PemFiles.passphrases(latin1));
    }

    private static String pem(String name) throws IOException {
        return Files.readString(pki.resolve(name));
    }

    private static String block(String label, String content) {
        String base64 = Base64.getEncoder().encodeToString(content.getBytes());
        return "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
    }

    @Test
    void namesAFileWithALineBreakInItsNameOnOneLine() {
        Path file = dir.resolve("two\nlines.pem");
        PrivateKeysTest.assertMessage("cannot read " + dir + "/two\\nlines.pem: No such file or directory",
                () -> PemFiles.certificates(file));
    }
}

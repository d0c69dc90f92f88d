package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import loomproxy.testkit.Ca;
import loomproxy.testkit.Issued;
import loomproxy.testkit.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --check} loads every TLS file a start would and names each problem at its directive's line. */
class CheckFilesTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static TestPki pki;
    static Issued client;
    static Issued other;
    static Path trusted;
    static Path encryptedKey;

    @BeforeAll
    static void pki() {
        pki = TestPki.in(pkiDir);
        Ca root = pki.root("Check Root");
        client = root.client("check client");
        other = root.newClient("other").freshKey().issue();
        trusted = pki.bundle("trusted.pem", root);
        encryptedKey = pkiDir.resolve("encrypted.key");
        pki.openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", client.keyPem().toString(),
                "-out", encryptedKey.toString(), "-passout", "pass:right horse");
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(String tls) throws Exception {
        return check(trusted, tls);
    }

    private int check(Path trusted, String tls) throws Exception {
        Path file = dir.resolve("loomproxy.properties");
        Files.writeString(file, """
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = localhost:9
                proxy_ssl = on
                proxy_ssl_trusted_certificate = %s
                %s
                """.formatted(trusted, tls));
        return Main.run(new String[] {"--check", file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(0), (onTerminate, onOther) -> Set.of());
    }

    /**
     * --check finds what opening the log files would meet, and creates none: as root it would
     * leave files the service's own user cannot open.
     */
    @Test
    void logFilesAreCheckedNotCreated() throws Exception {
        String client = "proxy_ssl_certificate = " + this.client.chainPem() + "\nproxy_ssl_certificate_key = " + this.client.keyPem();
        Path logs = Files.createDirectories(dir.resolve("logs"));
        assertEquals(Main.OK, check(client + "\nerror_log = " + logs.resolve("error.log") + " info\naccess_log = "
                + logs.resolve("access.log")), err());
        assertEquals(List.of(), Files.list(logs).toList(), "--check left log files behind");

        assertEquals(Main.CONFIG_ERROR, check(client + "\nerror_log = " + dir.resolve("none/error.log")
                + "\naccess_log = " + logs), err());
        assertTrue(err().contains(": error_log: cannot open " + dir.resolve("none/error.log") + " for appending: no directory "
                + dir.resolve("none") + ": create it"), err());
        assertTrue(err().contains(": access_log: cannot open " + logs + " for appending: it is a directory: name a file in it"), err());
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** A warning line as --check prints it, at a line of this test's configuration file. */
    private String warning(int line, String key) {
        return "loomproxy: [warn] " + dir.resolve("loomproxy.properties") + ":" + line + ": " + key + ": ";
    }

    /** A copy of the key with these permissions (the test PKI's own files have the umask's). */
    private Path keyWithMode(Issued issued, String mode) throws Exception {
        Path copy = dir.resolve("key-" + mode + ".pem");
        Files.copy(issued.keyPem(), copy);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString(mode));
        return copy;
    }

    @Test
    void aClientCertificateThatExpiresWithinThirtyDaysIsAWarningNotAnError() throws Exception {
        Issued soon = pki.root("Soon Root").newClient("soon")
                .validity(pki.now().minus(Duration.ofDays(1)), pki.now().plus(Duration.ofDays(10))).issue();
        assertEquals(0, check("proxy_ssl_certificate = %s\nproxy_ssl_certificate_key = %s"
                .formatted(soon.chainPem(), keyWithMode(soon, "rw-------"))), err());
        String expected = warning(5, "proxy_ssl_certificate") + "CN=soon in " + soon.chainPem() + " expires in ";
        assertTrue(err().contains(expected) && err().contains(": renew it before then\n"), err());
        assertEquals(1, err().lines().count(), "one warning, nothing else: " + err());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(" is ok"));
    }

    @Test
    void expiredAndNotYetValidTrustedCertificatesAreNamed() throws Exception {
        Path bundle = pki.bundle("mixed.pem", pki.root("Check Root").certificate(), pki.newRoot("Old Root").expired().issue().certificate(),
                pki.newRoot("Future Root").notYetValid().issue().certificate());
        assertEquals(0, check(bundle, ""), err());
        assertTrue(err().contains(warning(4, "proxy_ssl_trusted_certificate") + "CN=Old Root in " + bundle + " expired on "), err());
        assertTrue(err().contains(": replace it\n"), err());
        assertTrue(err().contains(warning(4, "proxy_ssl_trusted_certificate") + "CN=Future Root in " + bundle
                + " is not valid before "), err());
        assertFalse(err().contains("CN=Check Root"), err());
    }

    @Test
    void aCrlPastItsNextUpdateIsNamed() throws Exception {
        Ca root = pki.root("Crl Root");
        Path crls = pki.crlBundle("crls.pem", root.expiredCrl(), pki.root("Fresh Root").crl());
        assertEquals(0, check(pki.bundle("crl-trusted.pem", root), "proxy_ssl_crl = " + crls), err());
        assertTrue(err().contains(warning(5, "proxy_ssl_crl") + "the CRL of CN=Crl Root in " + crls + " is past its nextUpdate ("),
                err());
        assertTrue(err().contains("fail verification with reason crl: fetch a current CRL"), err());
        assertFalse(err().contains("Fresh Root"), err());
        assertEquals(1, err().lines().count(), "an expired CRL is still the trusted CA's, not also a missing one: " + err());
    }

    @Test
    void aCurrentCrlOfTheTrustedCaAndItsIntermediateIsOkSilently() throws Exception {
        Ca root = pki.root("Good Root");
        Path crls = pki.crlBundle("good-crls.pem", root.crl(), root.intermediate("Good Int").crl());
        assertEquals(0, check(pki.bundle("good-trusted.pem", root), "proxy_ssl_crl = " + crls), err());
        assertEquals("", err());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(" is ok"));
    }

    /** QA: only another CA's CRL said "is ok", then every session failed with "crl: no current CRL from CN=TestCA". */
    @Test
    void aCrlFileWithoutTheTrustedCasCrlIsAWarning() throws Exception {
        Ca root = pki.root("TestCA");
        Path trustedCa = pki.bundle("ca.pem", root);
        Path crl = pki.crlBundle("ca2.crl", pki.root("CA2").crl());
        assertEquals(0, check(trustedCa, "proxy_ssl_crl = " + crl), err());
        assertEquals(warning(5, "proxy_ssl_crl") + "no certificate in " + trustedCa + " has a CRL in " + crl
                + ", so every upstream fails verification with reason crl (every CA of a chain needs one, the trusted one"
                + " included): add the CRL of CN=TestCA to " + crl + "\n", err());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(" is ok"));
    }

    /** QA: a forged CRL said "is ok", then every session failed with "crl: cannot tell whether ... is revoked". */
    @Test
    void aCrlInTheTrustedCasNameSignedByAnotherKeyFailsTheCheck() throws Exception {
        Ca root = pki.root("TestCA");
        Path trustedCa = pki.bundle("ca-forged.pem", root);
        Path crl = pki.crlBundle("forged.crl", pki.root("TestCA").crl());
        assertEquals(1, check(trustedCa, "proxy_ssl_crl = " + crl), err());
        assertTrue(err().contains("loomproxy: [emerg] " + dir.resolve("loomproxy.properties") + ":5: proxy_ssl_crl: the CRL"
                + " from CN=TestCA in " + crl + " is not signed by CN=TestCA's key in " + trustedCa
                + " (Signature does not match): replace it with a CRL that CN=TestCA signed, or, if CN=TestCA has a new key,"
                + " add its new certificate to " + trustedCa + "\n"), err());
        assertTrue(err().contains(" test failed"), err());
        assertFalse(out.toString(StandardCharsets.UTF_8).contains(" is ok"));
    }

    @Test
    void aPrivateKeyOthersCanReadIsNamed() throws Exception {
        String config = "proxy_ssl_certificate = %s\nproxy_ssl_certificate_key = %s";
        Path readable = keyWithMode(client, "rw-r--r--");
        assertEquals(0, check(config.formatted(client.chainPem(), readable)), err());
        assertTrue(err().contains(warning(6, "proxy_ssl_certificate_key") + readable + " is readable by every user"
                + " (rw-r--r--): let only its owner and the service's group read it, chmod o-r " + readable), err());

        // INSTALL.md's own setup, root:loomproxy 0640, and an owner-only key say nothing
        for (String mode : new String[] {"rw-r-----", "rw-------"}) {
            err.reset();
            assertEquals(0, check(config.formatted(client.chainPem(), keyWithMode(client, mode))), err());
            assertEquals("", err());
        }
    }

    @Test
    void verificationTurnedOffIsAWarning() throws Exception {
        assertEquals(0, check("proxy_ssl_verify = off"), err());
        assertTrue(err().contains(warning(5, "proxy_ssl_verify") + "off: the upstream's certificate is not checked"), err());
    }

    private Path passwords(String... lines) throws Exception {
        return Files.writeString(dir.resolve("passwords"), String.join("\n", lines) + "\n");
    }

    @Test
    void encryptedKeyWithTheRightPassphraseOnTheSecondLine() throws Exception {
        assertEquals(0, check("proxy_ssl_certificate = %s\nproxy_ssl_certificate_key = %s\nproxy_ssl_password_file = %s"
                .formatted(client.chainPem(), encryptedKey, passwords("wrong", "right horse"))), err());
    }

    /** -T reads the password file for the check like a start, and prints its path, never what is in it. */
    @Test
    void dumpNamesThePasswordFileButNeverAPassphrase() throws Exception {
        Path passwords = passwords("wrong", "right horse");
        Path file = dir.resolve("loomproxy.properties");
        Files.writeString(file, """
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = localhost:9
                proxy_ssl = on
                proxy_ssl_trusted_certificate = %s
                proxy_ssl_certificate = %s
                proxy_ssl_certificate_key = %s
                proxy_ssl_password_file = %s
                """.formatted(trusted, client.chainPem(), encryptedKey, passwords));
        assertEquals(0, Main.run(new String[] {"-T", file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(0), (onTerminate, onOther) -> Set.of()), err());
        String dump = out.toString(StandardCharsets.UTF_8);
        assertTrue(dump.contains("  proxy_ssl_password_file = " + passwords + "   # " + file + ":7"), dump);
        assertFalse(dump.contains("horse") || err().contains("horse") || dump.contains("wrong"), dump + err());
    }

    @Test
    void wrongPassphraseIsNamed() throws Exception {
        assertEquals(1, check("proxy_ssl_certificate = %s\nproxy_ssl_certificate_key = %s\nproxy_ssl_password_file = %s"
                .formatted(client.chainPem(), encryptedKey, passwords("wrong", "also wrong"))));
        assertTrue(err().contains(":6: proxy_ssl_certificate_key: none of the 2 passphrases"), err());
        assertFalse(err().contains("horse"), "never print passphrases: " + err());
    }

    @Test
    void encryptedKeyWithoutPasswordFile() throws Exception {
        assertEquals(1, check("proxy_ssl_certificate = %s\nproxy_ssl_certificate_key = %s".formatted(client.chainPem(), encryptedKey)));
        assertTrue(err().contains(":6: proxy_ssl_certificate_key: ") && err().contains("proxy_ssl_password_file"), err());
    }

    @Test
    void keyThatDoesNotMatchTheCertificate() throws Exception {
        assertEquals(1, check("proxy_ssl_certificate = %s\nproxy_ssl_certificate_key = %s".formatted(client.chainPem(), other.keyPem())));
        assertTrue(err().contains(":6: proxy_ssl_certificate_key: " + other.keyPem() + " does not match the certificate"), err());
    }

    /** A top-level key inherited by three blocks is checked three times, but it is one line to fix: one error. */
    @Test
    void aProblemInheritedBySeveralBlocksIsReportedOnce() throws Exception {
        assertEquals(1, check("""
                proxy_ssl_certificate = %s
                proxy_ssl_certificate_key = %s
                server.b.listen = 127.0.0.1:50001
                server.b.proxy_pass = localhost:9
                server.c.listen = 127.0.0.1:50002
                server.c.proxy_pass = localhost:9""".formatted(client.chainPem(), other.keyPem())));
        assertEquals(1, err().lines().filter(l -> l.startsWith("loomproxy: [emerg] ") && l.contains(":6: ")).count(), err());
        assertTrue(err().contains("test failed (1 error)"), err());
    }

    /** Each proxy_ssl_conf_command line is one command: every bad one is reported, at its own line. */
    @Test
    void everyBadConfCommandIsReportedAtItsOwnLine() throws Exception {
        assertEquals(1, check("""
                proxy_ssl_conf_command = Groups nosuchgroup
                proxy_ssl_verify_depth = 2
                proxy_ssl_conf_command = Options -SessionTicket
                server.main.proxy_ssl_conf_command = Groups nosuchgroup
                server.b.listen = 127.0.0.1:50001
                server.b.proxy_pass = localhost:9"""));
        String file = dir.resolve("loomproxy.properties").toString();
        assertEquals(List.of(
                file + ":5: proxy_ssl_conf_command: proxy_ssl_conf_command \"Groups nosuchgroup\": unknown group nosuchgroup",
                file + ":7: proxy_ssl_conf_command: proxy_ssl_conf_command \"Options -SessionTicket\": unsupported command Options",
                file + ":8: server.main.proxy_ssl_conf_command: proxy_ssl_conf_command \"Groups nosuchgroup\": unknown group"
                        + " nosuchgroup"),
                err().lines().filter(l -> l.startsWith("loomproxy: [emerg] "))
                        .map(l -> l.substring("loomproxy: [emerg] ".length()).replaceAll("[;(].*", "").strip()).toList());
    }

    @Test
    void certificateFileThatIsNotPem() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.crt"), "this is not a certificate\n");
        assertEquals(1, check("proxy_ssl_certificate = %s\nproxy_ssl_certificate_key = %s".formatted(junk, client.keyPem())));
        assertTrue(err().contains(":5: proxy_ssl_certificate: ") && err().contains("junk.crt"), err());
    }

    @Test
    void unparsableCrl() throws Exception {
        Path crl = Files.writeString(dir.resolve("bad.crl"), "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
        assertEquals(1, check("proxy_ssl_crl = " + crl));
        assertTrue(err().contains(":5: proxy_ssl_crl: ") && err().contains("bad.crl"), err());
    }

    @Test
    void certificateWithoutKey() throws Exception {
        assertEquals(1, check("proxy_ssl_certificate = " + client.chainPem()));
        assertTrue(err().contains(":5: proxy_ssl_certificate: is set but proxy_ssl_certificate_key is not"), err());
    }
}

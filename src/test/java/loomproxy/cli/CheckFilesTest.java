package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path file = dir.resolve("loomproxy.properties");
        Files.writeString(file, """
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = localhost:9
                proxy_ssl = on
                proxy_ssl_trusted_certificate = %s
                %s
                """.formatted(trusted, tls));
        return Main.run(new String[] {"--check", file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(0), (onTerminate, onOther) -> { });
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path passwords(String... lines) throws Exception {
        return Files.writeString(dir.resolve("passwords"), String.join("\n", lines) + "\n");
    }

    @Test
    void encryptedKeyWithTheRightPassphraseOnTheSecondLine() throws Exception {
        assertEquals(0, check("proxy_ssl_certificate = %s\nproxy_ssl_certificate_key = %s\nproxy_ssl_password_file = %s"
                .formatted(client.chainPem(), encryptedKey, passwords("wrong", "right horse"))), err());
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

package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second, independent parser: OpenSSL must accept the demo PEM files as strict RFC 5280. */
class DemoPkiOpensslTest {
    private record Run(int exit, String output) {}

    @TempDir
    Path dir;

    @BeforeEach
    void writeDemoFiles() throws Exception {
        Assumptions.assumeTrue(opensslPresent(), "openssl is not on PATH");
        var pki = DemoPki.create();
        Files.writeString(dir.resolve("ca.pem"), DemoPki.pem(pki.ca()));
        Files.writeString(dir.resolve("server.pem"), DemoPki.pem(pki.server().certificate()));
        Files.writeString(dir.resolve("server.key"), DemoPki.pem(pki.server().key()));
        Files.writeString(dir.resolve("client.pem"), DemoPki.pem(pki.client().certificate()));
        Files.writeString(dir.resolve("client.key"), DemoPki.pem(pki.client().key()));
    }

    private static boolean opensslPresent() {
        try {
            return new ProcessBuilder("openssl", "version").start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false; // no executable: the assumption above reports it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Run openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        var process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "openssl did not exit: " + command);
        return new Run(process.exitValue(), output);
    }

    /** -x509_strict adds OpenSSL's RFC 5280 conformance checks (critical basicConstraints, AKI, SKI). */
    private Run verify(String purpose, String file, String... extra) throws Exception {
        List<String> args = new ArrayList<>(
                List.of("verify", "-x509_strict", "-CAfile", "ca.pem", "-purpose", purpose));
        args.addAll(List.of(extra));
        args.add(file);
        return openssl(args.toArray(String[]::new));
    }

    @Test
    void serverVerifiesForSslServerWithItsNameAndAddress() throws Exception {
        var run = verify("sslserver", "server.pem", "-verify_hostname", "localhost");
        assertEquals(new Run(0, "server.pem: OK\n"), run);
        assertEquals(0, verify("sslserver", "server.pem", "-verify_ip", "127.0.0.1").exit());
    }

    @Test
    void clientVerifiesForSslClient() throws Exception {
        assertEquals(new Run(0, "client.pem: OK\n"), verify("sslclient", "client.pem"));
    }

    @Test
    void extendedKeyUsageKeepsEachCertificateToItsRole() throws Exception {
        for (String[] misuse : new String[][] {{"sslclient", "server.pem"}, {"sslserver", "client.pem"}}) {
            var run = verify(misuse[0], misuse[1]);
            assertNotEquals(0, run.exit(), run.output());
            // X509_V_ERR_INVALID_PURPOSE on the leaf; its wording differs between OpenSSL versions.
            assertTrue(run.output().contains("error 26 at 0 depth"), run.output());
        }
    }

    @Test
    void textDumpShowsNamesUsagesAndCaFlag() throws Exception {
        String server = openssl("x509", "-noout", "-text", "-in", "server.pem").output();
        assertTrue(server.contains("DNS:localhost, IP Address:127.0.0.1"), server);
        assertTrue(server.contains("TLS Web Server Authentication"), server);
        assertTrue(server.contains("Digital Signature"), server);
        assertTrue(server.contains("X509v3 Authority Key Identifier"), server);
        String client = openssl("x509", "-noout", "-text", "-in", "client.pem").output();
        assertTrue(client.contains("TLS Web Client Authentication"), client);
        String ca = openssl("x509", "-noout", "-text", "-in", "ca.pem").output();
        assertTrue(ca.contains("X509v3 Basic Constraints: critical\n                CA:TRUE"), ca);
        assertTrue(ca.contains("Certificate Sign, CRL Sign"), ca);
    }

    @Test
    void keysLoadAndMatchTheirCertificates() throws Exception {
        for (String role : List.of("server", "client")) {
            assertEquals(new Run(0, ""), openssl("pkey", "-in", role + ".key", "-noout"));
            String fromKey = openssl("pkey", "-in", role + ".key", "-pubout").output();
            String fromCertificate = openssl("x509", "-in", role + ".pem", "-noout", "-pubkey").output();
            assertTrue(fromKey.startsWith("-----BEGIN PUBLIC KEY-----"), fromKey);
            assertEquals(fromCertificate, fromKey, role);
        }
    }
}

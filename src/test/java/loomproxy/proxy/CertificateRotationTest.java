package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Issued;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * tls_reload_interval (SPEC §7): short-lived client certificates are rotated by replacing their
 * files, with no signal and no failed session; a half-written set keeps the old one, logged once.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CertificateRotationTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;
    static Issued next;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Rotate", 0);
        next = tls.issuer().newClient("Rotate client 2").freshKey().issue(); // its own key, or half a set would load
    }

    @Test
    void aNewClientCertificateIsUsedOnceItsFilesAreCompleteWithNoSessionLost() throws Exception {
        Path chain = Files.copy(tls.client().chainPem(), dir.resolve("client.crt"));
        Path key = Files.copy(tls.client().keyPem(), dir.resolve("client.key"));
        String config = tls.proxyConfig("localhost:%d", "tls_reload_interval = 100ms")
                .replace(tls.client().chainPem().toString(), chain.toString())
                .replace(tls.client().keyPem().toString(), key.toString());
        try (EchoServer echo = tls.echo(true);
             TestProxy proxy = TestProxy.start(dir, config.formatted(echo.port()))) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger sessions = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            Thread load = Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    try (Socket c = proxy.connect("main")) {
                        Bytes.write(c, "steady");
                        if (!Bytes.readString(c, 6).equals("steady")) {
                            failures.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                    sessions.incrementAndGet();
                }
            });
            Wait.until(() -> sessions.get() > 5, Duration.ofSeconds(20), () -> "no sessions");

            // Half a set: the new certificate, but still the old key. It must not be used.
            replace(next.chainPem(), chain);
            proxy.errors().await("server main: its TLS files changed but do not load as a set");
            int halfWay = sessions.get();
            Wait.until(() -> sessions.get() > halfWay + 5, Duration.ofSeconds(20), () -> "no sessions");
            assertEquals(1, proxy.errors().matching("do not load as a set").size(), "logged once");

            replace(next.keyPem(), key);
            proxy.errors().await("server main: TLS files changed; new sessions use them");
            Wait.until(() -> lastClient(echo).contains("CN=Rotate client 2"), Duration.ofSeconds(20),
                    () -> "the upstream never saw the new certificate");
            int after = sessions.get();
            Wait.until(() -> sessions.get() > after + 5, Duration.ofSeconds(20), () -> "no sessions");
            running.set(false);
            load.join();
            assertEquals(0, failures.get(), failures + " failed of " + sessions);
            List<EchoServer.Handshake> seen = echo.handshakes();
            assertTrue(seen.stream().allMatch(h -> h.clientPrincipal().contains("CN=Rotate client")), seen.toString());
        }
    }

    /** A rotated-in certificate that has expired is warned about as at a start or reload, not only applied. */
    @Test
    void anExpiredCertificateRotatedInIsWarnedAbout() throws Exception {
        Issued expired = tls.issuer().newClient("Rotate expired").freshKey().expired().issue();
        Path chain = Files.copy(tls.client().chainPem(), dir.resolve("client.crt"));
        Path key = Files.copy(tls.client().keyPem(), dir.resolve("client.key"));
        String config = tls.proxyConfig("localhost:1", "tls_reload_interval = 100ms")
                .replace(tls.client().chainPem().toString(), chain.toString())
                .replace(tls.client().keyPem().toString(), key.toString());
        try (TestProxy proxy = TestProxy.start(dir, config)) {
            replace(expired.keyPem(), key);
            replace(expired.chainPem(), chain);
            proxy.errors().await("server main: TLS files changed; new sessions use them");
            proxy.errors().await("[warn]", "server main: rotated TLS files:", "proxy_ssl_certificate", "expired");
        }
    }

    /** Written beside the target and moved over it, as a deployment tool would: never a torn file. */
    private static void replace(Path from, Path to) throws IOException {
        Path temp = Files.copy(from, to.resolveSibling(to.getFileName() + ".new"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String lastClient(EchoServer echo) {
        List<EchoServer.Handshake> seen = echo.handshakes();
        return seen.isEmpty() ? "" : seen.get(seen.size() - 1).clientPrincipal();
    }
}

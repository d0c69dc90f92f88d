package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Issued;
import loomproxy.testkit.NginxServer;
import loomproxy.testkit.OpensslServer;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * loomproxy in front of real OpenSSL-based upstreams that require a client certificate:
 * {@code openssl s_server} and Debian's nginx. Session reuse is counted on the upstream's side.
 * .ci/run installs both; where they are missing the tests are skipped with the reason.
 */
class InteropTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;
    static Issued server;
    static Path trusted;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Interop", 1);
        server = tls.server();
        trusted = tls.trusted();
    }

    /** TLS 1.3 to an upstream that asks for a client certificate, with none configured. */
    private static String withoutClientCertificate(int port, String extra) {
        return """
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = localhost:%d
                proxy_ssl = on
                proxy_ssl_trusted_certificate = %s
                proxy_ssl_protocols = TLSv1.3
                proxy_ssl_verify_depth = 2
                %s
                """.formatted(port, trusted, extra);
    }

    private static String config(int port, String protocol) {
        return tls.proxyConfig("localhost:" + port, "proxy_ssl_protocols = " + protocol + "\nproxy_ssl_verify_depth = 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void opensslServerSeesMutualTlsAndResumedSessions(String protocol) throws Exception {
        assumeTrue(OpensslServer.available(), "openssl is not installed");
        String only = protocol.equals("TLSv1.2") ? "-tls1_2" : "-tls1_3";
        try (OpensslServer upstream = OpensslServer.start(server.certPem(), server.keyPem(), trusted, only,
                "-cert_chain", server.chainPem().toString(),
                "-naccept", "3");
             TestProxy proxy = TestProxy.start(dir, config(upstream.port(), protocol))) {
            for (int i = 0; i < 3; i++) {
                try (Socket c = proxy.connect("main")) {
                    Bytes.write(c, "hello " + i + "\n");
                    assertEquals(i + " olleh\n", Bytes.readString(c, 8), upstream.output());
                }
            }
            assertEquals(2, upstream.sessionCacheHits(), upstream.output());
            proxy.access().await(" " + protocol + " r \"ok\"");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void nginxUpstreamSeesMutualTlsAndResumedSessions(String protocol) throws Exception {
        assumeTrue(NginxServer.available(), "nginx with the stream module is not installed (apt-get install nginx libnginx-mod-stream)");
        try (EchoServer echo = EchoServer.plain();
             NginxServer nginx = NginxServer.tlsUpstream(dir.resolve("nginx"), server, trusted, echo.port());
             TestProxy proxy = TestProxy.start(dir, config(nginx.port(), protocol))) {
            for (int i = 0; i < 3; i++) {
                try (Socket c = proxy.connect("main")) {
                    Bytes.write(c, "via nginx " + i);
                    assertEquals("via nginx " + i, Bytes.readString(c, 11));
                }
            }
            Wait.until(() -> lines(nginx, protocol).size() == 3, Duration.ofSeconds(20),
                    () -> "nginx logged: " + nginx.read("tls.log") + nginx.errorLog());
            List<String> logged = lines(nginx, protocol);
            assertTrue(logged.get(0).startsWith(protocol + " . SUCCESS "), logged.toString());
            assertTrue(logged.get(1).startsWith(protocol + " r SUCCESS "), logged.toString());
            assertTrue(logged.get(2).startsWith(protocol + " r SUCCESS "), logged.toString());
            assertTrue(logged.get(0).contains("CN=Interop client"), logged.toString());
        }
    }

    /**
     * NGINX as a TLS 1.3 upstream with ssl_verify_client on judges the client certificate after
     * the handshake is over for the client, and then closes without an alert: the session would
     * look like an empty, orderly one. The error log names the likely reason and what to set.
     */
    @Test
    void anNginxUpstreamClosingOverAMissingClientCertificateIsNamed() throws Exception {
        assumeTrue(NginxServer.available(), "nginx with the stream module is not installed (apt-get install nginx libnginx-mod-stream)");
        try (EchoServer echo = EchoServer.plain();
             NginxServer nginx = NginxServer.tlsUpstream(dir.resolve("nginx"), server, trusted, echo.port());
             TestProxy proxy = TestProxy.start(dir, withoutClientCertificate(nginx.port(), ""));
             Socket c = proxy.connect("main")) {
            Bytes.write(c, "anyone?");
            assertEquals(0, Bytes.readToEof(c.getInputStream()).length);
            proxy.errors().await("[warn]", "closed the connection after the TLS handshake without sending anything",
                    "proxy_ssl_certificate is not set; set it and proxy_ssl_certificate_key");
        }
    }

    /**
     * The same NGINX refusal found by a health check: the probe's wait for a verdict after the
     * handshake meets NGINX's close, which from a server that asked for a certificate is a refusal;
     * with the certificate the server is healthy.
     */
    @Test
    void aHealthCheckFindsAnNginxUpstreamRefusingTheClientCertificate() throws Exception {
        assumeTrue(NginxServer.available(), "nginx with the stream module is not installed (apt-get install nginx libnginx-mod-stream)");
        try (EchoServer echo = EchoServer.plain();
             NginxServer nginx = NginxServer.tlsUpstream(dir.resolve("nginx"), server, trusted, echo.port());
             TestProxy without = TestProxy.start(Files.createDirectories(dir.resolve("without")),
                     withoutClientCertificate(nginx.port(), "health_check = interval=200ms"));
             TestProxy with = TestProxy.start(Files.createDirectories(dir.resolve("with")), config(nginx.port(), "TLSv1.3")
                     + "\nhealth_check = interval=200ms")) {
            without.errors().await("is unhealthy: handshake failed: client_cert_rejected: the upstream asked for a client"
                    + " certificate and closed the connection right after the handshake; proxy_ssl_certificate is not set");
            Wait.until(() -> with.proxy().metrics().scrape().lines().anyMatch(l -> l.startsWith("loomproxy_health_checks_total{")
                    && l.contains("result=\"ok\"") && !l.endsWith(" 0")), Duration.ofSeconds(20), () -> with.proxy().metrics().scrape());
            try (Socket c = with.connect("main")) {
                Bytes.write(c, "still fine");
                assertEquals("still fine", Bytes.readString(c, 10));
            }
            assertEquals(List.of(), with.errors().matching("unhealthy"), with.errors().lines().toString());
        }
    }

    /**
     * JSSE sends an X25519 and a P-256 key share in every ClientHello by default; OpenSSL sends one.
     * Once the server has done TLS 1.3, loomproxy offers it one share too (tls/KeyShares).
     */
    @Test
    void afterATls13HandshakeTheClientHelloCarriesOneKeyShare() throws Exception {
        assumeTrue(OpensslServer.available(), "openssl is not installed");
        try (OpensslServer upstream = OpensslServer.start(server.certPem(), server.keyPem(), trusted, "-tls1_3",
                "-cert_chain", server.chainPem().toString(), "-trace", "-naccept", "2");
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + upstream.port(), "proxy_ssl_verify_depth = 2"))) {
            for (int i = 0; i < 2; i++) {
                try (Socket c = proxy.connect("main")) {
                    Bytes.write(c, "share " + i + "\n");
                    assertEquals(i + " erahs\n", Bytes.readString(c, 8));
                }
            }
            Wait.until(() -> clientHelloKeyShares(upstream.output()).size() == 2, Duration.ofSeconds(20), upstream::output);
            assertEquals(List.of(List.of("ecdh_x25519", "secp256r1"), List.of("ecdh_x25519")),
                    clientHelloKeyShares(upstream.output()), upstream.output());
        }
    }

    /**
     * An upstream that takes only P-256: the one-share ClientHello fails, the same session connects
     * again with the defaults (not a failure of the server, not a next upstream), and from then on
     * that server gets the defaults.
     */
    @Test
    void anUpstreamWithoutX25519GetsTheDefaultGroupsBackWithoutLosingASession() throws Exception {
        assumeTrue(OpensslServer.available(), "openssl is not installed");
        try (OpensslServer upstream = OpensslServer.start(server.certPem(), server.keyPem(), trusted, "-tls1_3",
                "-cert_chain", server.chainPem().toString(), "-groups", "P-256", "-naccept", "4");
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + upstream.port(),
                     "proxy_ssl_verify_depth = 2\nproxy_next_upstream_tries = 1"))) {
            for (int i = 0; i < 3; i++) {
                try (Socket c = proxy.connect("main")) {
                    Bytes.write(c, "group " + i + "\n");
                    assertEquals(i + " puorg\n", Bytes.readString(c, 8), upstream.output() + proxy.errors().lines());
                }
            }
            String retried = proxy.errors().await("handshake offering one key share (TLS 1.3, X25519) failed", "connecting again");
            assertTrue(retried.contains("[info]"), retried);
            assertEquals(1, proxy.errors().matching("one key share").size(), proxy.errors().lines().toString());
            assertTrue(proxy.errors().matching("[warn]").isEmpty(), proxy.errors().lines().toString());
            String addr = "127.0.0.1:" + upstream.port(); // $upstream_addr: the address localhost resolved to
            proxy.access().await("\"" + addr + ", " + addr + "\"");
            Wait.until(() -> proxy.access().lines().size() == 3, Duration.ofSeconds(20), () -> proxy.access().lines().toString());
            assertEquals(1, proxy.access().matching(addr + ", ").size(), "only the second session connected twice: "
                    + proxy.access().lines());
        }
    }

    /** The NamedGroup of each key_share extension in the ClientHellos of {@code s_server -trace} output. */
    private static List<List<String>> clientHelloKeyShares(String trace) {
        List<List<String>> hellos = new ArrayList<>();
        String[] lines = trace.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].trim().startsWith("ClientHello, Length=")) {
                continue;
            }
            int j = i + 1;
            while (j < lines.length && !lines[j].contains("extension_type=key_share(") && !lines[j].startsWith("Sent Record")) {
                j++;
            }
            List<String> groups = new ArrayList<>();
            for (j++; j < lines.length && !lines[j].isBlank(); j++) {
                String line = lines[j].trim();
                if (line.startsWith("NamedGroup: ")) {
                    groups.add(line.substring("NamedGroup: ".length()).split(" ")[0]);
                }
            }
            hellos.add(groups);
        }
        return hellos;
    }

    /** nginx's readiness probe (a bare TCP connect) logs no client certificate: "NONE". */
    private static List<String> lines(NginxServer nginx, String protocol) {
        return nginx.read("tls.log").lines().filter(l -> !l.contains(" NONE ")).toList();
    }
}

package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.SSLServerSocket;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.Ca;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.FullBacklog;
import loomproxy.testkit.Issued;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.Ports;
import loomproxy.testkit.TestPki;
import loomproxy.testkit.TestProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** proxy_ssl on against JSSE upstreams: mutual TLS, verification outcomes, session reuse, SNI, failover. */
class TlsProxyTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;
    static TestPki pki;
    static Ca root;
    static Ca intermediate;
    static Issued server;
    static Path trusted;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Proxy", 1);
        pki = tls.pki();
        root = tls.root();
        intermediate = tls.issuer();
        server = tls.server();
        trusted = tls.trusted();
    }

    static String config(String servers, String extra) {
        return config(servers, "5s", extra);
    }

    static String config(String servers, String connectTimeout, String extra) {
        return tls.proxyConfig(servers, "proxy_connect_timeout = " + connectTimeout + "\n" + extra);
    }

    static EchoServer upstream(Issued certificate, boolean needClientAuth, String... protocols) throws IOException {
        return tls.echo(certificate, needClientAuth, protocols);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void mutualTlsEchoesAndTheUpstreamSeesSessionsResumed(String protocol) throws Exception {
        try (EchoServer echo = upstream(server, true, protocol);
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + echo.port(), ""))) {
            for (int i = 0; i < 3; i++) {
                try (Socket c = proxy.connect("main")) {
                    Bytes.write(c, "round " + i);
                    assertEquals("round " + i, Bytes.readString(c, 7));
                }
            }
            List<EchoServer.Handshake> seen = echo.handshakes();
            assertEquals(3, seen.size());
            assertEquals(List.of(false, true, true), seen.stream().map(EchoServer.Handshake::resumed).toList());
            assertTrue(seen.stream().allMatch(h -> h.protocol().equals(protocol)), seen.toString());
            assertTrue(seen.get(0).clientPrincipal().contains("CN=Proxy client"), seen.get(0).toString());
            assertEquals("localhost", seen.get(0).serverName(), "SNI is the chosen server's host");
            proxy.access().await(" " + protocol + " . \"ok\"");
            proxy.access().await(" " + protocol + " r \"ok\"");
        }
    }

    @Test
    void ipLiteralUpstreamGetsNoSniAndIsCheckedAgainstIpSans() throws Exception {
        try (EchoServer echo = upstream(server, true);
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + echo.port(), ""));
             Socket c = proxy.connect("main")) {
            Bytes.write(c, "ip");
            assertEquals("ip", Bytes.readString(c, 2));
            assertNull(echo.handshakes().get(0).serverName(), "RFC 6066: no SNI for an IP literal");
        }
    }

    @Test
    void proxySslNameIsSentAndChecked() throws Exception {
        Issued named = intermediate.server("backend.internal");
        try (EchoServer echo = upstream(named, true);
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + echo.port(), "proxy_ssl_name = backend.internal"));
             Socket c = proxy.connect("main")) {
            Bytes.write(c, "n");
            assertEquals("n", Bytes.readString(c, 1));
            assertEquals("backend.internal", echo.handshakes().get(0).serverName());
        }
    }

    @Test
    void serverNameOffSendsNoSni() throws Exception {
        try (EchoServer echo = upstream(server, true);
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + echo.port(), "proxy_ssl_server_name = off"));
             Socket c = proxy.connect("main")) {
            Bytes.write(c, "s");
            assertEquals("s", Bytes.readString(c, 1));
            assertNull(echo.handshakes().get(0).serverName());
        }
    }

    @Test
    void wrongNameFailsVerificationWith502AndTheReason() throws Exception {
        try (EchoServer echo = upstream(server, true);
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + echo.port(), "proxy_ssl_name = other.example.com"));
             Socket c = proxy.connect("main")) {
            assertEquals(0, Bytes.readToEof(c.getInputStream()).length);
            proxy.errors().await("upstream 127.0.0.1:" + echo.port() + " verification failed: name: other.example.com",
                    "DNS:localhost", "server: main");
            proxy.access().await(" 502 ", "\"name\"");
        }
    }

    @Test
    void depthBeyondVerifyDepthFails() throws Exception {
        Ca deep = intermediate.intermediate("Int 2");
        Issued deepLeaf = deep.server("localhost");
        try (EchoServer echo = upstream(deepLeaf, false)) {
            assertRefused(echo.port(), "proxy_ssl_verify_depth = 1",
                    "verification failed: depth: 2 intermediates > proxy_ssl_verify_depth 1");
        }
    }

    @Test
    void untrustedServerFailsAndVerifyOffAcceptsIt() throws Exception {
        Ca other = pki.root("Other Root");
        Issued stranger = other.server("localhost");
        try (EchoServer echo = upstream(stranger, false)) {
            assertRefused(echo.port(), "", "verification failed: untrusted");
            try (TestProxy proxy = TestProxy.start(dir, config("localhost:" + echo.port(), "proxy_ssl_verify = off"))) {
                try (Socket c = proxy.connect("main")) {
                    Bytes.write(c, "trusting");
                    assertEquals("trusting", Bytes.readString(c, 8));
                }
                proxy.access().await(" 200 ", "\"off\"");
            }
        }
    }

    /**
     * Without proxy_ssl_trusted_certificate the anchors are the JDK's CAs, and the log says so
     * instead of sending the operator to a file the configuration does not have.
     */
    @Test
    void untrustedByTheJdkDefaultCasNamesThem() throws Exception {
        try (EchoServer echo = upstream(server, false)) {
            String withoutTrusted = config("localhost:" + echo.port(), "").lines()
                    .filter(line -> !line.startsWith("proxy_ssl_trusted_certificate")).collect(Collectors.joining("\n"));
            try (TestProxy proxy = TestProxy.start(dir, withoutTrusted);
                 Socket c = proxy.connect("main")) {
                assertEquals(0, Bytes.readToEof(c.getInputStream()).length);
                String line = proxy.errors().await("verification failed: untrusted");
                assertTrue(line.contains(") to the JDK's default CAs, client: "), line);
            }
            assertRefused(echo.port(), "server.main.proxy_ssl_trusted_certificate = " + pki.bundle("other.pem", pki.root("Unrelated")),
                    "verification failed: untrusted", "to a certificate in proxy_ssl_trusted_certificate");
        }
    }

    /**
     * proxy_ssl_name may hold any character but a blank, and $upstream_ssl_name carries it into the
     * access log: each log_format escaping writes it as NGINX would (SPEC §6).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "escape=default [$upstream_ssl_name] | [caf\\xC3\\xA9\\x22x\\x5Cy]",
            "[$upstream_ssl_name]                | [caf\\xC3\\xA9\\x22x\\x5Cy]",
            "escape=json {\"n\":\"$upstream_ssl_name\"} | {\"n\":\"caf\u00e9\\\"x\\\\y\"}",
            "escape=none [$upstream_ssl_name]    | [caf\u00e9\"x\\y]"})
    void accessLogEscapesAnUpstreamNameFromTheConfiguration(String format, String expected) throws Exception {
        try (EchoServer echo = upstream(server, false);
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + echo.port(), """
                     proxy_ssl_verify = off
                     proxy_ssl_server_name = off
                     proxy_ssl_name = caf\\u00e9"x\\\\y
                     log_format.odd = %s
                     access_log = stdout odd
                     """.formatted(format)));
             Socket c = proxy.connect("main")) {
            Bytes.write(c, "odd");
            assertEquals("odd", Bytes.readString(c, 3));
            c.close();
            assertEquals(expected, proxy.access().await("caf"));
        }
    }

    @Test
    void failsOverPastRefusedHandshakeTimeoutAndFailedVerification() throws Exception {
        Issued expired = intermediate.newServer("localhost").expired().issue();
        int refused = Ports.closed();
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             EchoServer bad = upstream(expired, false);
             EchoServer good = upstream(server, true);
             TestProxy proxy = TestProxy.start(dir, config(String.join(", ", "localhost:" + refused,
                     "localhost:" + silent.getLocalPort(), "localhost:" + bad.port(), "localhost:" + good.port()),
                     "700ms", ""));
             Socket c = proxy.connect("main")) {
            Bytes.write(c, "made it");
            assertEquals("made it", Bytes.readString(c, 7));
            proxy.errors().await("upstream 127.0.0.1:" + refused + " connect failed");
            proxy.errors().await("upstream 127.0.0.1:" + silent.getLocalPort() + " handshake failed: handshake_timeout");
            proxy.errors().await("upstream 127.0.0.1:" + bad.port() + " verification failed: expired");
            // NGINX's line for a server taken out, with the session and what the try was doing
            proxy.errors().await("[warn] #", "upstream server temporarily disabled while connecting to upstream, upstream: \"127.0.0.1:"
                    + refused + "\"", "server: main");
            proxy.errors().await("[warn] #", "upstream server temporarily disabled while SSL handshaking to upstream, upstream: \"127.0.0.1:"
                    + bad.port() + "\"", "server: main");
            c.close();
            proxy.access().await(" 200 ", "\"127.0.0.1:" + refused + ", 127.0.0.1:" + silent.getLocalPort()
                    + ", 127.0.0.1:" + bad.port() + ", 127.0.0.1:" + good.port() + "\"", "\"ok\"");
        }
    }

    @Test
    void confCommandsChooseTheTls13SuiteAndGroup() throws Exception {
        try (EchoServer echo = upstream(server, true, "TLSv1.3");
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + echo.port(),
                     "proxy_ssl_conf_command = Ciphersuites TLS_CHACHA20_POLY1305_SHA256\n"
                             + "proxy_ssl_conf_command = Groups P-256"))) {
            try (Socket c = proxy.connect("main")) {
                Bytes.write(c, "suite");
                assertEquals("suite", Bytes.readString(c, 5));
            }
            assertEquals("TLS_CHACHA20_POLY1305_SHA256", echo.handshakes().get(0).cipher());
        }
    }

    @Test
    void connectTimeoutFailsOverToTheNextServer() throws Exception {
        try (FullBacklog stalled = new FullBacklog();
             EchoServer good = upstream(server, true);
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + stalled.port() + ", localhost:" + good.port(),
                     "300ms", ""));
             Socket c = proxy.connect("main")) {
            Bytes.write(c, "patience");
            assertEquals("patience", Bytes.readString(c, 8));
            proxy.errors().await("upstream 127.0.0.1:" + stalled.port() + " connect failed: timed out after 300ms");
        }
    }

    @Test
    void revokedUpstreamCertificateFailsWithACrl() throws Exception {
        Issued revoked = intermediate.newServer("localhost").freshKey().issue();
        intermediate.revoke(revoked);
        Path crls = pki.crlBundle("crls-" + System.nanoTime() + ".pem", root.crl(), intermediate.crl());
        try (EchoServer echo = upstream(revoked, true)) {
            assertRefused(echo.port(), "proxy_ssl_crl = " + crls, "verification failed: revoked: CN=localhost");
        }
    }

    @Test
    void earlyClientBytesWaitForTheTlsHandshake() throws Exception {
        try (SSLServerSocket upstream = (SSLServerSocket) server.serverContext(root.certificate()).getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + upstream.getLocalPort(), ""));
             Socket c = proxy.connect("main")) {
            Bytes.write(c, "sent before any handshake");
            try (Socket accepted = upstream.accept()) {
                assertEquals("sent before any handshake", Bytes.readString(accepted, 25));
            }
        }
    }

    @Test
    void missingClientCertificateIsRejectedByTheUpstream() throws Exception {
        String noClientCert = """
                upstream.backend = localhost:%d
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = backend
                proxy_ssl = on
                proxy_ssl_protocols = TLSv1.2
                proxy_ssl_trusted_certificate = %s
                """;
        try (EchoServer echo = upstream(server, true, "TLSv1.2");
             TestProxy proxy = TestProxy.start(dir, noClientCert.formatted(echo.port(), trusted));
             Socket c = proxy.connect("main")) {
            assertEquals(0, Bytes.readToEof(c.getInputStream()).length);
            proxy.errors().await("handshake failed: client_cert_rejected");
            proxy.access().await(" 502 ", "\"client_cert_rejected\"");
        }
    }

    @Test
    void protocolMismatchIsNamed() throws Exception {
        try (EchoServer echo = upstream(server, true, "TLSv1.3")) {
            assertRefused(echo.port(), "proxy_ssl_protocols = TLSv1.2", "handshake failed: protocol");
        }
    }

    @Test
    void cipherMismatchIsNamed() throws Exception {
        try (EchoServer echo = EchoServer.tls(server.serverContext(root.certificate()), s -> configureOnly(s,
                "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))) {
            assertRefused(echo.port(), "proxy_ssl_protocols = TLSv1.2\nproxy_ssl_ciphers = ECDHE+AES128",
                    "handshake failed: cipher", "(no cipher suite or key-exchange group in common: compare proxy_ssl_ciphers"
                            + " and proxy_ssl_conf_command Ciphersuites/Groups with what the upstream accepts)");
        }
    }

    @Test
    void plainTextUpstreamIsNotTls() throws Exception {
        try (ServerSocket http = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = http.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes());
                    s.getInputStream().readNBytes(1);
                } catch (IOException ignored) {
                    // the proxy closes first
                }
            });
            assertRefused(http.getLocalPort(), "", "handshake failed: not_tls");
        }
    }

    /** A proxy in front of the upstream on PORT refuses the session: the client sees EOF, the log says why. */
    private void assertRefused(int port, String extra, String... logged) throws Exception {
        try (TestProxy proxy = TestProxy.start(dir, config("localhost:" + port, extra));
             Socket c = proxy.connect("main")) {
            assertEquals(0, Bytes.readToEof(c.getInputStream()).length);
            proxy.errors().await(logged);
            // The try is a [warn]; the session's outcome an [error], which an error_log at NGINX's
            // default level (error) still shows, with the reason.
            String verdict = proxy.errors().await("[error]", "reached after 1 try; last: upstream 127.0.0.1:" + port);
            for (String fragment : logged) {
                assertTrue(verdict.contains(fragment), verdict);
            }
        }
    }

    private static SSLServerSocket configureOnly(SSLServerSocket socket, String protocol, String suite) {
        socket.setEnabledProtocols(new String[] {protocol});
        socket.setEnabledCipherSuites(new String[] {suite});
        return socket;
    }
}

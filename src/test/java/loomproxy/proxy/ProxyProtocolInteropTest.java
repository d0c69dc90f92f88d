package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.HaproxyServer;
import loomproxy.testkit.Loopback;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.NginxServer;
import loomproxy.testkit.ProxyLineEcho;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code proxy_protocol} (SPEC §9) read by real parsers: nginx's {@code listen ... ssl proxy_protocol}
 * and HAProxy's {@code bind ... accept-proxy ssl}. The header goes before the TLS ClientHello, so
 * the handshake after it succeeding is part of the proof; the parser's own account of the client
 * (nginx's {@code $proxy_protocol_*} variables, the v1 line HAProxy re-sends) must name the client
 * as it connected to loomproxy, over IPv4 (127.0.0.2) and over IPv6 (::1).
 * .ci/run installs nginx and haproxy; where they are missing the tests are skipped with the reason.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyProtocolInteropTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Proxy protocol", 0);
    }

    /** Block {@code v4} on 127.0.0.1 and {@code v6} on ::1, both TLS to {@code port} with the header. */
    private static String config(int port, String kind) {
        return tls.proxyConfig("localhost:" + port, """
                server.v6.listen = [::1]:0
                server.v6.proxy_pass = backend
                server.main.proxy_protocol = %s
                server.v6.proxy_protocol = %s
                """.formatted(kind, kind));
    }

    /** A client from {@code from} sends a line through and gets it back; returns its port. */
    private static int echoFrom(String from, InetSocketAddress to) throws Exception {
        try (Socket client = Loopback.connect(from, to)) {
            byte[] payload = ("through the parser from " + from).getBytes(StandardCharsets.US_ASCII);
            assertEquals(new String(payload, StandardCharsets.US_ASCII),
                    new String(Bytes.echo(client, payload), StandardCharsets.US_ASCII));
            return client.getLocalPort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"on", "v1", "v2"})
    void nginxReadsTheHeaderBeforeTheHandshake(String kind) throws Exception {
        assumeTrue(NginxServer.available(), "nginx with the stream module is not installed (apt-get install nginx libnginx-mod-stream)");
        try (EchoServer echo = EchoServer.plain();
             NginxServer nginx = NginxServer.start(dir.resolve("nginx"), """
                     log_format pp '$proxy_protocol_addr $proxy_protocol_port $proxy_protocol_server_addr $proxy_protocol_server_port $ssl_protocol';
                     server {
                         listen 127.0.0.1:%%PORT%% ssl proxy_protocol;
                         ssl_certificate %s;
                         ssl_certificate_key %s;
                         access_log %s pp;
                         proxy_pass 127.0.0.1:%d;
                     }
                     """.formatted(tls.server().chainPem(), tls.server().keyPem(), dir.resolve("nginx/pp.log"), echo.port()));
             TestProxy proxy = TestProxy.start(dir, config(nginx.port(), kind))) {
            int v4 = echoFrom("127.0.0.2", proxy.address("main"));
            int v6 = echoFrom("::1", proxy.address("v6"));
            // nginx's readiness probe sent no header: its line has no TLS protocol and is left out.
            Wait.until(() -> sessions(nginx).size() == 2, Duration.ofSeconds(20), () -> nginx.read("pp.log") + nginx.errorLog());
            assertEquals(List.of("127.0.0.2 " + v4 + " 127.0.0.1 " + proxy.port("main"),
                            "::1 " + v6 + " ::1 " + proxy.port("v6")),
                    sessions(nginx).stream().map(l -> l.substring(0, l.lastIndexOf(' '))).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void haproxyReadsTheHeaderBeforeTheHandshake(String kind) throws Exception {
        assumeTrue(HaproxyServer.available(), "haproxy is not installed (apt-get install haproxy)");
        try (ProxyLineEcho backend = new ProxyLineEcho();
             HaproxyServer haproxy = HaproxyServer.acceptProxy(dir.resolve("haproxy"), tls.server(), backend.port());
             TestProxy proxy = TestProxy.start(dir, config(haproxy.port(), kind))) {
            int v4 = echoFrom("127.0.0.2", proxy.address("main"));
            int v6 = echoFrom("::1", proxy.address("v6"));
            assertEquals(List.of("PROXY TCP4 127.0.0.2 127.0.0.1 " + v4 + " " + proxy.port("main"),
                            "PROXY TCP6 ::1 ::1 " + v6 + " " + proxy.port("v6")),
                    backend.lines(), haproxy.output());
        }
    }

    /** The lines of sessions that got through TLS (the last field is $ssl_protocol, "-" without). */
    private static List<String> sessions(NginxServer nginx) {
        return nginx.read("pp.log").lines().filter(l -> l.matches(".* TLSv1\\.[23]$")).toList();
    }
}

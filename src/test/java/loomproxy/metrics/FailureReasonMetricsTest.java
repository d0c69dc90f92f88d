package loomproxy.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.PromText;
import loomproxy.testkit.ResetMidTransfer;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream failures that happen after the handshake count too (SPEC §10's {@code reset}, and a TLS
 * 1.3 server's refusal of our certificate, which arrives after the client finished).
 */
class FailureReasonMetricsTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;
    static MutualTls tls;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Reasons", 0);
    }

    private static String config(int port, String extra) {
        return """
                upstream.backend = localhost:%d
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = backend
                proxy_ssl = on
                proxy_ssl_trusted_certificate = %s
                %s
                """.formatted(port, tls.trusted(), extra);
    }

    private static PromText scrape(TestProxy proxy) {
        Wait.until(() -> proxy.proxy().openSessions() == 0, Duration.ofSeconds(20), () -> "sessions still open");
        return PromText.parse(proxy.proxy().metrics().scrape());
    }

    private static List<String> failures(PromText m) {
        return m.samples("loomproxy_upstream_failures_total").stream()
                .map(s -> s.labels().get("reason") + " " + (long) s.value()).toList();
    }

    @Test
    void anUpstreamResetDuringTheSessionIsReasonReset() throws Exception {
        byte[] before = new byte[1000];
        new Random(3).nextBytes(before);
        try (ResetMidTransfer hostile = new ResetMidTransfer(tls.server().serverContext(), before);
             TestProxy proxy = TestProxy.start(dir, config(hostile.port(), ""));
             Socket client = proxy.connect("main")) {
            InputStream in = client.getInputStream();
            assertArrayEquals(before, Bytes.readExactly(in, before.length));
            Bytes.write(client, "!");
            assertThrows(SocketException.class, () -> Bytes.readToEof(in));
            PromText m = scrape(proxy);
            assertEquals(List.of("reset 1"), failures(m));
            assertEquals(1, m.value("loomproxy_sessions_total", "server", "main", "status", "200"),
                    "the session itself reached its server");
        }
    }

    @Test
    void aTls13RefusalOfOurCertificateIsReasonClientCertRejected() throws Exception {
        try (EchoServer echo = tls.echo(true, "TLSv1.3");
             TestProxy proxy = TestProxy.start(dir, config(echo.port(), ""));
             Socket client = proxy.connect("main")) {
            Bytes.write(client, "no certificate");
            try {
                Bytes.readToEof(client.getInputStream());
            } catch (SocketException reset) {
                // the refusal came after our bytes went out: the client is reset, not given an EOF
            }
            PromText m = scrape(proxy);
            assertEquals(List.of("client_cert_rejected 1"), failures(m));
            assertEquals(1, m.value("loomproxy_sessions_total", "server", "main", "status", "502"));
        }
    }
}

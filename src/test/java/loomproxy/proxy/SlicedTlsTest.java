package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.SlicingRelay;
import loomproxy.testkit.TestProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The network may cut TLS records anywhere: the upstream's bytes reach loomproxy through a relay
 * that passes them on a few at a time (and loomproxy's reach the upstream the same way), so every
 * record header and body arrives in pieces. Handshake, resumption and data must not notice.
 */
class SlicedTlsTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Sliced", 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void recordsCutIntoSevenByteSegmentsArriveWholeAndSessionsResume(String protocol) throws Exception {
        byte[] payload = new byte[48 * 1024];
        new Random(7).nextBytes(payload);
        try (EchoServer upstream = tls.echo(true, protocol);
             SlicingRelay relay = SlicingRelay.to(upstream.port(), 7);
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + relay.port(), "proxy_ssl_verify_depth = 1"))) {
            for (int i = 0; i < 2; i++) {
                try (Socket c = proxy.connect("main")) {
                    c.setSoTimeout(60_000);
                    assertArrayEquals(payload, Bytes.echo(c, payload));
                }
            }
            assertEquals(List.of(false, true), upstream.handshakes().stream().map(EchoServer.Handshake::resumed).toList());
            proxy.access().await(" " + protocol + " r \"ok\"");
        }
    }
}

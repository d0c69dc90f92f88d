package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.NginxServer;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS 1.3 resumption under concurrency, counted by the upstream: 64 clients at once, five rounds.
 * Only the first burst may need full handshakes (one per concurrent connection, each leaving a
 * ticket behind); every later connection resumes, although each ticket is used once.
 */
class ConcurrentResumptionTest {
    static final int CLIENTS = 64;
    static final int ROUNDS = 5;

    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Resumption", 0);
    }

    private TestProxy proxy(int upstreamPort) throws Exception {
        return TestProxy.start(dir, tls.proxyConfig("localhost:" + upstreamPort,
                "proxy_ssl_protocols = TLSv1.3\nproxy_ssl_verify_depth = 0"));
    }

    @Test
    void jsseUpstreamSeesEveryConnectionAfterTheFirstBurstResumed() throws Exception {
        try (EchoServer echo = tls.echo(true);
             TestProxy proxy = proxy(echo.port())) {
            burst(proxy);
            List<Boolean> resumed = echo.handshakes().stream().map(EchoServer.Handshake::resumed).toList();
            assertEquals(CLIENTS * ROUNDS, resumed.size());
            long full = resumed.stream().filter(r -> !r).count();
            assertTrue(full <= CLIENTS, full + " full handshakes of " + resumed.size());
        }
    }

    @Test
    void nginxUpstreamSeesEveryConnectionAfterTheFirstBurstResumed() throws Exception {
        assumeTrue(NginxServer.available(), "nginx with the stream module is not installed");
        try (EchoServer echo = EchoServer.plain();
             NginxServer nginx = NginxServer.tlsUpstream(dir.resolve("nginx"), tls.server(), tls.trusted(), echo.port());
             TestProxy proxy = proxy(nginx.port())) {
            burst(proxy);
            Wait.until(() -> handshakes(nginx).size() == CLIENTS * ROUNDS, Duration.ofSeconds(30),
                    () -> "nginx logged " + handshakes(nginx).size());
            long full = handshakes(nginx).stream().filter(l -> !l.contains(" r ")).count();
            assertTrue(full <= CLIENTS, full + " full handshakes of " + CLIENTS * ROUNDS);
        }
    }

    private static List<String> handshakes(NginxServer nginx) {
        return nginx.read("tls.log").lines().filter(l -> l.contains("SUCCESS")).toList();
    }

    private static void burst(TestProxy proxy) throws Exception {
        List<Callable<Boolean>> work = new ArrayList<>();
        for (int i = 0; i < CLIENTS * ROUNDS; i++) {
            work.add(() -> ping(proxy));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(CLIENTS)) {
            for (Future<Boolean> f : pool.invokeAll(work)) {
                assertTrue(f.get());
            }
        }
    }

    private static boolean ping(TestProxy proxy) throws IOException {
        try (Socket c = proxy.connect("main")) {
            Bytes.write(c, "ping");
            return Bytes.readString(c, 4).equals("ping");
        }
    }
}

package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Random;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.TestProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.ToxiproxyContainer;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Faults injected by Toxiproxy between loomproxy and a mutual-TLS upstream, where a Docker engine
 * runs; elsewhere JUnit reports the class as skipped ({@code disabledWithoutDocker}). Each fault
 * also has a test that runs everywhere, on loopback:
 * <ul>
 *   <li>records sliced into a few bytes at a time: {@link SlicedTlsTest};</li>
 *   <li>a slow upstream (bandwidth): {@link SlicedTlsTest} (every record arrives in pieces, slowly)
 *       and {@link VolumeTest} (100 MB each way);</li>
 *   <li>an upstream that accepts and then says nothing: {@code TlsProxyTest
 *       .failsOverPastRefusedHandshakeTimeoutAndFailedVerification} (handshake_timeout);</li>
 *   <li>health checks through a link that goes silent and comes back: {@link ChaosTest} and
 *       {@code HealthCheckTest.stalledHandshakesAndRepliesEndAtTheDeadlineOneProbeAtATime}.</li>
 * </ul>
 */
@Testcontainers(disabledWithoutDocker = true)
class ToxiproxyFaultsTest {
    private static final int TOXIPROXY_PORT = 8666; // the first of the ports the container exposes

    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;
    static EchoServer upstream;
    static ToxiproxyContainer toxiproxy;
    static Proxy link;

    @BeforeAll
    static void start() throws IOException {
        tls = MutualTls.in(pkiDir, "Toxic", 1);
        upstream = tls.echo(true);
        // Before the container starts: it reaches this JVM's loopback through Testcontainers' tunnel.
        org.testcontainers.Testcontainers.exposeHostPorts(upstream.port());
        toxiproxy = new ToxiproxyContainer("ghcr.io/shopify/toxiproxy:2.5.0");
        toxiproxy.start();
        ToxiproxyClient client = new ToxiproxyClient(toxiproxy.getHost(), toxiproxy.getControlPort());
        link = client.createProxy("upstream", "0.0.0.0:" + TOXIPROXY_PORT, "host.testcontainers.internal:" + upstream.port());
    }

    @AfterAll
    static void stop() throws IOException {
        if (toxiproxy != null) {
            toxiproxy.stop();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void noToxics() throws IOException {
        for (var toxic : link.toxics().getAll()) {
            toxic.remove();
        }
    }

    /** The upstream as loomproxy sees it: through Toxiproxy, verified as localhost. */
    private TestProxy proxy(String extra) throws Exception {
        String address = toxiproxy.getHost() + ":" + toxiproxy.getMappedPort(TOXIPROXY_PORT);
        return TestProxy.start(dir, tls.proxyConfig(address, "proxy_ssl_name = localhost\nproxy_ssl_verify_depth = 1\n" + extra));
    }

    @Test
    void recordsSlicedIntoFewBytesArriveWhole() throws Exception {
        link.toxics().slicer("slice-down", ToxicDirection.DOWNSTREAM, 7, 0).setSizeVariation(3).setDelay(20);
        link.toxics().slicer("slice-up", ToxicDirection.UPSTREAM, 7, 0).setSizeVariation(3).setDelay(20);
        try (TestProxy proxy = proxy("")) {
            assertEchoed(proxy, 32 * 1024);
        }
    }

    @Test
    void aSlowUpstreamStillDeliversEveryByte() throws Exception {
        link.toxics().bandwidth("slow", ToxicDirection.DOWNSTREAM, 128); // KB/s
        try (TestProxy proxy = proxy("proxy_timeout = 30s")) {
            assertEchoed(proxy, 256 * 1024);
        }
    }

    @Test
    void anUpstreamThatSaysNothingFailsTheHandshakeInTime() throws Exception {
        link.toxics().timeout("silent", ToxicDirection.DOWNSTREAM, 0); // holds its bytes until removed
        try (TestProxy proxy = proxy("proxy_connect_timeout = 1s");
             Socket client = proxy.connect("main")) {
            client.setSoTimeout(20_000);
            assertEquals(-1, client.getInputStream().read(), "the session ends without a byte");
            proxy.errors().await("handshake failed: handshake_timeout");
            proxy.access().await(" 502 ");
        }
    }

    /**
     * The chaos run's health half where Docker runs ({@link ChaosTest} everywhere): a link that goes
     * silent is found unhealthy by the probes' handshake deadline, sessions get 502 at once, and the
     * server is healthy again after passes=2 good probes once the link is back.
     */
    @Test
    void aLinkThatGoesSilentIsFoundUnhealthyAndComesBack() throws Exception {
        try (TestProxy proxy = proxy("health_check = interval=300ms timeout=1s passes=2")) {
            assertEchoed(proxy, 1024);
            var silent = link.toxics().timeout("silent-health", ToxicDirection.DOWNSTREAM, 0);
            proxy.errors().await("is unhealthy: handshake failed: handshake_timeout");
            try (Socket client = proxy.connect("main")) {
                client.setSoTimeout(20_000);
                assertEquals(-1, client.getInputStream().read(), "no live upstreams: closed at once");
            }
            proxy.errors().await("no live upstreams");
            silent.remove();
            proxy.errors().await("is healthy again, server: main");
            assertEchoed(proxy, 2048);
        }
    }

    private static void assertEchoed(TestProxy proxy, int size) throws Exception {
        byte[] payload = new byte[size];
        new Random(size).nextBytes(payload);
        try (Socket client = proxy.connect("main")) {
            client.setSoTimeout(60_000);
            assertArrayEquals(payload, Bytes.echo(client, payload));
        }
        proxy.access().await(" 200 " + size + " " + size + " ");
    }
}

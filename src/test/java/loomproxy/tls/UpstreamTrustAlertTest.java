package loomproxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import loomproxy.testkit.Ca;
import loomproxy.testkit.Issued;
import loomproxy.testkit.TestPki;
import loomproxy.tls.trust.UpstreamTrust;
import loomproxy.tls.trust.VerificationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS alert the upstream receives for each failure, with two SSLEngines wired in memory: no
 * TCP reset can race the alert, and the SSLEngine overload of checkServerTrusted (name from
 * {@code engine.getPeerHost()}) is the one exercised.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamTrustAlertTest {
    private static final String HOST = "upstream.example.com";
    private static final int MAX_FLIGHTS = 20;

    private TestPki pki;
    private Ca root;
    private Ca int1;

    @BeforeAll
    void pki(@TempDir Path dir) {
        pki = TestPki.in(dir);
        root = pki.root("Root CA");
        int1 = root.intermediate("Int 1");
    }

    @Test
    void goodChainCompletesTheHandshake() throws Exception {
        assertEquals("ok", serverOutcome(int1.server(HOST), List.of(), 1));
    }

    @Test
    void expiredSendsCertificateExpired() throws Exception {
        assertAlert("certificate_expired", serverOutcome(int1.newServer(HOST).expired().issue(), List.of(), 1));
    }

    @Test
    void notYetValidSendsBadCertificate() throws Exception {
        assertAlert("bad_certificate", serverOutcome(int1.newServer(HOST).notYetValid().issue(), List.of(), 1));
    }

    @Test
    void revokedSendsCertificateRevoked() throws Exception {
        Issued revoked = int1.server(HOST);
        int1.revoke(revoked);
        List<X509CRL> crls = List.of(root.crl().crl(), int1.crl().crl());
        assertAlert("certificate_revoked", serverOutcome(revoked, crls, 1));
    }

    @Test
    void depthAndNameSendCertificateUnknown() throws Exception {
        assertAlert("certificate_unknown", serverOutcome(int1.server(HOST), List.of(), 0));
        assertAlert("certificate_unknown", serverOutcome(int1.server("other"), List.of(), 1));
    }

    /** JDK 21 says "Received fatal alert: X", JDK 25 prefixes "(X) ". */
    private static void assertAlert(String alert, String serverOutcome) {
        assertTrue(serverOutcome.endsWith("Received fatal alert: " + alert), serverOutcome);
    }

    /** Runs one handshake; returns "ok" or the server engine's failure message. */
    private String serverOutcome(Issued upstream, List<X509CRL> crls, int depth)
            throws GeneralSecurityException, SSLException {
        SSLEngine client = clientContext(crls, depth).createSSLEngine(HOST, 443);
        client.setUseClientMode(true);
        SSLEngine server = upstream.serverContext().createSSLEngine();
        server.setUseClientMode(false);
        ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
        boolean clientFailed = false;
        for (int flight = 0; flight < MAX_FLIGHTS; flight++) {
            if (!clientFailed) {
                clientFailed = !clientStep(client, toClient, toServer);
            }
            try {
                step(server, toServer, toClient);
            } catch (SSLException e) {
                return e.getMessage();
            }
            if (!clientFailed && done(client) && done(server)) {
                return "ok";
            }
        }
        throw new AssertionError("handshake neither finished nor failed in " + MAX_FLIGHTS + " flights");
    }

    /** The client: false once it failed, after flushing its alert to the wire as SSLEngine asks. */
    private static boolean clientStep(SSLEngine client, ByteBuffer in, ByteBuffer out) throws SSLException {
        try {
            step(client, in, out);
            return true;
        } catch (SSLException failure) {
            assertInstanceOf(VerificationException.class, failure.getCause(), failure.toString());
            client.wrap(ByteBuffer.allocate(0), out);
            return false;
        }
    }

    /** One round for an engine: send what it has, read what arrived, run its delegated tasks. */
    private static void step(SSLEngine engine, ByteBuffer in, ByteBuffer out) throws SSLException {
        ByteBuffer sink = ByteBuffer.allocate(1 << 17);
        engine.wrap(ByteBuffer.allocate(0), out);
        in.flip();
        while (in.hasRemaining() && engine.unwrap(in, sink).bytesConsumed() > 0) {
            runTasks(engine);
        }
        in.compact();
        runTasks(engine);
    }

    private static void runTasks(SSLEngine engine) {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    private static boolean done(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
    }

    private SSLContext clientContext(List<X509CRL> crls, int depth) throws GeneralSecurityException {
        var trust = new VerifyingTrustManager(new UpstreamTrust(List.of(root.certificate()), "a certificate in proxy_ssl_trusted_certificate", crls, depth,
                InstantSource.system()), Optional.empty());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trust}, null);
        return context;
    }
}

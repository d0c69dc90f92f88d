package loomproxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
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
 * UpstreamTrust inside a real JSSE handshake on loopback, with the socket layered the way the
 * proxy does it ({@code createSocket(plain, host, port, true)}): success carries bytes; a failure
 * aborts the handshake with an SSLHandshakeException caused by our VerificationException. (Which
 * alert the upstream receives is asserted in {@link UpstreamTrustAlertTest}: over TCP the client's
 * close can reset the connection before the server reads the alert.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamTrustHandshakeTest {
    private static final int TIMEOUT_MS = 10_000;

    private Ca root;
    private Issued upstream;
    private Issued expired;
    private Ca partner;
    private Issued outsidePartner;

    @BeforeAll
    void pki(@TempDir Path dir) {
        root = TestPki.in(dir).root("Root CA");
        Ca int1 = root.intermediate("Int 1");
        upstream = int1.newServer("localhost").dns("localhost").ip("127.0.0.1").issue();
        expired = int1.newServer("localhost").expired().issue();
        partner = root.newIntermediate("Partner CA").nameConstraints("permitted;DNS:partner.example").issue();
        outsidePartner = partner.newServer("localhost").dns("localhost").issue();
    }

    @Test
    void verifiedHandshakeCarriesBytes() throws Exception {
        for (String host : List.of("localhost", "127.0.0.1")) {
            try (var server = new OneShotUpstream(upstream.serverContext());
                 SSLSocket tls = handshake(client(1, Optional.empty()), host, server.port())) {
                tls.getOutputStream().write('x');
                tls.getOutputStream().flush();
                assertEquals('x', tls.getInputStream().read());
                assertEquals("ok", server.outcome());
            }
        }
    }

    @Test
    void tooDeepChainAbortsTheHandshake() throws Exception {
        try (var server = new OneShotUpstream(upstream.serverContext())) {
            VerificationException e = failedHandshake(client(0, Optional.empty()), server.port());
            assertEquals("depth", e.reason());
            assertEquals("depth: 1 intermediate > proxy_ssl_verify_depth 0", e.getMessage());
        }
    }

    @Test
    void expiredLeafAbortsTheHandshake() throws Exception {
        try (var server = new OneShotUpstream(expired.serverContext())) {
            assertEquals("expired", failedHandshake(client(1, Optional.empty()), server.port()).reason());
        }
    }

    @Test
    void proxySslNameOverridesTheSocketHost() throws Exception {
        try (var server = new OneShotUpstream(upstream.serverContext())) {
            VerificationException e = failedHandshake(client(1, Optional.of("other.example.com")), server.port());
            assertEquals("name: other.example.com not in [DNS:localhost, IP:127.0.0.1]", e.getMessage());
        }
    }

    @Test
    void nameConstrainedTrustedIntermediateAbortsTheHandshake() throws Exception {
        try (var server = new OneShotUpstream(outsidePartner.serverContext())) {
            VerificationException e = failedHandshake(client(1, Optional.empty(), partner.certificate()), server.port());
            assertEquals("name", e.reason());
            assertEquals("name: CN=localhost [DNS:localhost] is outside the name constraints of CN=Partner CA"
                    + " (trust anchor): permitted [DNS:partner.example]", e.getMessage());
        }
    }

    private SSLContext client(int depth, Optional<String> name) throws GeneralSecurityException {
        return client(depth, name, root.certificate());
    }

    private SSLContext client(int depth, Optional<String> name, X509Certificate... anchors) throws GeneralSecurityException {
        var trust = new VerifyingTrustManager(new UpstreamTrust(List.of(anchors), "a certificate in proxy_ssl_trusted_certificate", List.of(), depth, InstantSource.system()), name);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trust}, null);
        return context;
    }

    private SSLSocket handshake(SSLContext context, String host, int port) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        plain.setSoTimeout(TIMEOUT_MS);
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        try {
            tls.startHandshake();
            return tls;
        } catch (IOException e) {
            tls.close();
            throw e;
        }
    }

    private VerificationException failedHandshake(SSLContext context, int port) {
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> handshake(context, "localhost", port).close());
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof VerificationException v) {
                return v;
            }
        }
        throw new AssertionError("no VerificationException in the cause chain", e);
    }

    /** Serves one TLS connection on loopback: handshake, echo one byte; outcome is "ok" or the failure. */
    private static final class OneShotUpstream implements AutoCloseable {
        private final SSLServerSocket listener;
        private final CompletableFuture<String> outcome = new CompletableFuture<>();

        OneShotUpstream(SSLContext context) throws IOException {
            listener = (SSLServerSocket) context.getServerSocketFactory()
                    .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().name("one-shot-upstream").start(this::serve);
        }

        int port() {
            return listener.getLocalPort();
        }

        String outcome() throws Exception {
            return outcome.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }

        private void serve() {
            try (SSLSocket socket = (SSLSocket) listener.accept()) {
                socket.setSoTimeout(TIMEOUT_MS);
                socket.startHandshake();
                socket.getOutputStream().write(socket.getInputStream().read());
                socket.getOutputStream().flush();
                outcome.complete("ok");
            } catch (IOException e) {
                outcome.complete(e.getMessage());
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}

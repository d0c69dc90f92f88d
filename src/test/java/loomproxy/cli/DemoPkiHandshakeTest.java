package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A real TLS 1.3 mutual-TLS handshake between JSSE peers holding only demo material. */
class DemoPkiHandshakeTest {
    private static final int TIMEOUT_MILLIS = 10_000;
    private static final char[] PASSWORD = "demo".toCharArray();
    private final DemoPki pki = DemoPki.create();

    private SSLContext context(DemoPki.Issued identity, X509Certificate trusted) throws Exception {
        var keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("identity", identity.key(), PASSWORD, new Certificate[] {identity.certificate(), pki.ca()});
        var keyManagers = KeyManagerFactory.getInstance("PKIX");
        keyManagers.init(keys, PASSWORD);
        var trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusted);
        var trustManagers = TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trust);
        var context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    /** Accepts one connection that must present a client certificate, echoes 5 bytes, returns the peer. */
    private static CompletableFuture<X509Certificate> echoOnce(SSLServerSocket listener) {
        var result = new CompletableFuture<X509Certificate>();
        Thread.ofVirtual().start(() -> {
            try (var socket = (SSLSocket) listener.accept()) {
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.getOutputStream().write(socket.getInputStream().readNBytes(5));
                socket.getOutputStream().flush();
                result.complete((X509Certificate) socket.getSession().getPeerCertificates()[0]);
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private SSLServerSocket listen() throws Exception {
        var factory = context(pki.server(), pki.ca()).getServerSocketFactory();
        var listener = (SSLServerSocket) factory.createServerSocket(0, 1, InetAddress.getLoopbackAddress());
        listener.setNeedClientAuth(true);
        listener.setEnabledProtocols(new String[] {"TLSv1.3"});
        return listener;
    }

    /** Connects to the loopback port but names {@code host} for SNI and HTTPS identity checks. */
    private SSLSocket connect(SSLContext context, String host, int port) throws IOException {
        var plain = new Socket();
        plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
        plain.setSoTimeout(TIMEOUT_MILLIS);
        var socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        var parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setProtocols(new String[] {"TLSv1.3"});
        socket.setSSLParameters(parameters);
        return socket;
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1"})
    void mutualTlsHandshakeVerifiesBothSidesAndEchoes(String host) throws Exception {
        try (var listener = listen()) {
            var serverSaw = echoOnce(listener);
            try (var socket = connect(context(pki.client(), pki.ca()), host, listener.getLocalPort())) {
                byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
                socket.getOutputStream().write(hello);
                socket.getOutputStream().flush();
                assertArrayEquals(hello, socket.getInputStream().readNBytes(5));
                assertEquals("TLSv1.3", socket.getSession().getProtocol());
                assertEquals(pki.server().certificate(), socket.getSession().getPeerCertificates()[0]);
            }
            assertEquals(pki.client().certificate(), serverSaw.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void aHostNameOutsideTheSubjectAltNamesIsRefused() throws Exception {
        try (var listener = listen()) {
            echoOnce(listener);
            try (var socket = connect(context(pki.client(), pki.ca()), "example.com", listener.getLocalPort())) {
                var e = assertThrows(SSLHandshakeException.class, socket::startHandshake);
                assertTrue(String.valueOf(e.getMessage()).contains("example.com"), e.toString());
            }
        }
    }

    @Test
    void aClientTrustingAnotherDemoCaRefusesTheServer() throws Exception {
        var stranger = DemoPki.create().ca();
        try (var listener = listen()) {
            echoOnce(listener);
            try (var socket = connect(context(pki.client(), stranger), "localhost", listener.getLocalPort())) {
                assertThrows(SSLHandshakeException.class, socket::startHandshake);
            }
        }
    }
}

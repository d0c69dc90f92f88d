package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.TestProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * proxy_half_close over TLS 1.3, which can half-close (RFC 8446 §6.1): the client's FIN becomes
 * close_notify + FIN to the upstream, and the upstream's close_notify becomes a FIN to the client,
 * while the other direction keeps flowing.
 */
class TlsHalfCloseTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Half", 0);
    }

    /** Half-close on, TLS 1.3 only; with or without the client certificate. */
    private static String config(int port, boolean clientCertificate) {
        String text = tls.proxyConfig("localhost:" + port, "proxy_half_close = on\nproxy_ssl_protocols = TLSv1.3\nproxy_ssl_verify_depth = 0");
        return clientCertificate ? text : text.lines().filter(l -> !l.startsWith("proxy_ssl_certificate"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    private static SSLServerSocket listen(boolean needClientAuth) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) tls.server().serverContext(tls.root().certificate()).getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.setNeedClientAuth(needClientAuth);
        return socket;
    }

    @Test
    void clientEofReachesTheUpstreamAsCloseNotifyAndTheReplyStillComesBack() throws Exception {
        try (SSLServerSocket upstream = listen(true);
             TestProxy proxy = TestProxy.start(dir, config(upstream.getLocalPort(), true))) {
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> replyAfterEof(upstream));
            try (Socket c = proxy.connect("main")) {
                Bytes.write(c, "whole request");
                c.shutdownOutput();
                assertEquals("got 13 bytes then EOF", new String(Bytes.readToEof(c.getInputStream()), StandardCharsets.UTF_8));
            }
            assertEquals("whole request", seen.get());
        }
    }

    @Test
    void upstreamCloseNotifyReachesTheClientAsEofAndClientDataStillFlows() throws Exception {
        try (SSLServerSocket upstream = listen(true);
             TestProxy proxy = TestProxy.start(dir, config(upstream.getLocalPort(), true))) {
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> speakFirstThenListen(upstream));
            try (Socket c = proxy.connect("main")) {
                assertEquals("server speaks first", new String(Bytes.readToEof(c.getInputStream()), StandardCharsets.UTF_8));
                Bytes.write(c, "late words");
                c.shutdownOutput();
                assertEquals("late words", seen.get());
            }
        }
    }

    @Test
    void tls13RefusalOfAMissingClientCertificateIsNamed() throws Exception {
        try (SSLServerSocket upstream = listen(true);
             TestProxy proxy = TestProxy.start(dir, config(upstream.getLocalPort(), false))) {
            CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) upstream.accept()) {
                    s.getInputStream().read();
                } catch (IOException expected) {
                    // the server refuses the handshake: that is the point
                }
            });
            try (Socket c = proxy.connect("main")) {
                Bytes.write(c, "x");
                c.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException resetIsFine) {
                // the proxy resets the client after the upstream's refusal
            }
            proxy.errors().await("reading from upstream 127.0.0.1:" + upstream.getLocalPort()
                    + " failed: client_cert_rejected: proxy_ssl_certificate is not set;"
                    + " set it and proxy_ssl_certificate_key");
            proxy.access().await(" 502 ", "\"client_cert_rejected\"");
            assertEquals(List.of(), proxy.errors().matching("writing to upstream"), "the alert says it all");
        }
    }

    private static String replyAfterEof(SSLServerSocket upstream) {
        try (SSLSocket s = (SSLSocket) upstream.accept()) {
            byte[] all = Bytes.readToEof(s.getInputStream());
            Bytes.write(s, "got " + all.length + " bytes then EOF");
            s.shutdownOutput();
            return new String(all, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String speakFirstThenListen(SSLServerSocket upstream) {
        try (SSLSocket s = (SSLSocket) upstream.accept()) {
            Bytes.write(s, "server speaks first");
            s.shutdownOutput();
            return new String(Bytes.readToEof(s.getInputStream()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package loomproxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The demo's upstream: a TLS 1.3 echo server on 127.0.0.1 that requires a client certificate from
 * the demo CA and says, for each connection, whether the TLS session was resumed — proof from the
 * server's side that loomproxy reuses sessions.
 */
final class DemoUpstream implements AutoCloseable {
    private final SSLServerSocket server;
    private final PrintStream out;
    final AtomicInteger handshakes = new AtomicInteger();
    final AtomicInteger resumed = new AtomicInteger();

    DemoUpstream(DemoPki pki, PrintStream out) throws IOException, GeneralSecurityException {
        this.out = out;
        char[] password = "demo".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", pki.server().key(), password,
                new Certificate[] {pki.server().certificate(), pki.ca()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(keys, password);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", pki.ca());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        server.setEnabledProtocols(new String[] {"TLSv1.3"});
        Thread.ofPlatform().daemon().name("demo upstream accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().name("demo upstream echo").start(() -> echo((SSLSocket) socket));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    out.println("demo upstream: accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void echo(SSLSocket socket) {
        try (socket) {
            long started = System.currentTimeMillis();
            socket.startHandshake();
            SSLSession session = socket.getSession();
            // A resumed session keeps the creation time of the handshake that made it.
            boolean wasResumed = session.getCreationTime() < started;
            handshakes.incrementAndGet();
            if (wasResumed) {
                resumed.incrementAndGet();
            }
            out.println("demo upstream: " + session.getProtocol() + " " + session.getCipherSuite() + " client "
                    + session.getPeerPrincipal().getName() + (wasResumed ? ", session resumed" : ", full handshake"));
            InputStream in = socket.getInputStream();
            OutputStream echo = socket.getOutputStream();
            byte[] buffer = new byte[16384];
            for (int n; (n = in.read(buffer)) > 0; ) {
                echo.write(buffer, 0, n);
            }
        } catch (IOException e) {
            out.println("demo upstream: connection ended: " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

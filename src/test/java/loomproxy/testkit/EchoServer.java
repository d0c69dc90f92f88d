package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * An upstream for tests: echoes every byte back on loopback, plain or TLS. At the client's EOF it
 * finishes echoing and then half-closes its own side, so tests can see whether EOF travelled through
 * the proxy. For TLS it records, per connection, the protocol and whether the session was resumed
 * (a resumed JSSE session keeps the creation time of the handshake that made it).
 */
public final class EchoServer implements AutoCloseable {
    /** {@code serverName} is the SNI host name the client sent, or null. */
    public record Handshake(String protocol, String cipher, boolean resumed, String clientPrincipal, String serverName) {}

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final List<Handshake> handshakes = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private EchoServer(ServerSocket server) {
        this.server = server;
        Thread.ofPlatform().daemon().name("echo accept " + server.getLocalPort()).start(this::acceptLoop);
    }

    public static EchoServer plain() throws IOException {
        return new EchoServer(new ServerSocket(0, 1000, InetAddress.getLoopbackAddress()));
    }

    /** A plain echo server at {@code address}:{@code port} (0: any), for upstreams a name resolves to (127.0.0.2 …). */
    public static EchoServer plainAt(InetAddress address, int port) throws IOException {
        return new EchoServer(new ServerSocket(port, 1000, address));
    }

    /** A TLS echo server; {@code configure} may set protocols, client auth, etc. on the server socket. */
    public static EchoServer tls(SSLContext context, UnaryOperator<SSLServerSocket> configure) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        return new EchoServer(configure.apply(socket));
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public int accepted() {
        return accepted.get();
    }

    public int open() {
        return open.get();
    }

    public List<Handshake> handshakes() {
        return List.copyOf(handshakes);
    }

    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                open.incrementAndGet();
                Thread.ofVirtual().name("echo " + socket.getPort()).start(() -> serve(socket));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    failures.add(e);
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            if (socket instanceof SSLSocket tls) {
                long started = System.currentTimeMillis();
                tls.startHandshake();
                var session = tls.getSession();
                String principal = null;
                try {
                    principal = session.getPeerPrincipal().getName();
                } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
                    // no client certificate: recorded as null
                }
                String serverName = null;
                if (session instanceof javax.net.ssl.ExtendedSSLSession extended) {
                    serverName = extended.getRequestedServerNames().stream()
                            .filter(n -> n instanceof javax.net.ssl.SNIHostName)
                            .map(n -> ((javax.net.ssl.SNIHostName) n).getAsciiName()).findFirst().orElse(null);
                }
                handshakes.add(new Handshake(session.getProtocol(), session.getCipherSuite(),
                        session.getCreationTime() < started, principal, serverName));
            }
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            failures.add(e);
        } finally {
            open.decrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

package loomproxy.testkit;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The PKI most data-path tests need: a root, an issuing CA (the root itself or one intermediate),
 * a server certificate for {@code localhost} (DNS and IP SANs) and a client certificate, with the
 * root as the proxy's trusted bundle.
 */
public record MutualTls(TestPki pki, Ca root, Ca issuer, Issued server, Issued client, Path trusted) {

    /** {@code intermediates} is 0 (leaves signed by the root) or 1. */
    public static MutualTls in(Path dir, String name, int intermediates) {
        TestPki pki = TestPki.in(dir);
        Ca root = pki.root(name + " Root");
        Ca issuer = intermediates == 0 ? root : root.intermediate(name + " Int");
        Issued server = issuer.newServer("localhost").dns("localhost").ip("127.0.0.1").issue();
        Issued client = issuer.client(name + " client");
        return new MutualTls(pki, root, issuer, server, client, pki.bundle("trusted.pem", root));
    }

    /** A JSSE TLS echo upstream presenting {@code certificate}, trusting the root for client certificates. */
    public EchoServer echo(Issued certificate, boolean needClientAuth, String... protocols) throws IOException {
        return EchoServer.tls(certificate.serverContext(root.certificate()), socket -> {
            socket.setNeedClientAuth(needClientAuth);
            if (protocols.length > 0) {
                socket.setEnabledProtocols(protocols);
            }
            return socket;
        });
    }

    public EchoServer echo(boolean needClientAuth, String... protocols) throws IOException {
        return echo(server, needClientAuth, protocols);
    }

    /**
     * A proxy configuration: server block {@code main} on a free port in front of {@code servers},
     * TLS with verification against the root and the client certificate; {@code extra} lines last.
     */
    public String proxyConfig(String servers, String extra) {
        return """
                upstream.backend = %s
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = backend
                proxy_ssl = on
                proxy_ssl_trusted_certificate = %s
                proxy_ssl_certificate = %s
                proxy_ssl_certificate_key = %s
                %s
                """.formatted(servers, trusted, client.chainPem(), client.keyPem(), extra);
    }
}

package loomproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private ConfigFiles files() {
        return new ConfigFiles(dir);
    }

    @Test
    void defaultsFollowTheSpecTable() throws Exception {
        ProxyConfig c = files().load("server.main.listen = 12345", "server.main.proxy_pass = up.example:443");
        ServerConfig s = c.servers().get(0);
        assertEquals(Duration.ofSeconds(60), s.connectTimeout());
        assertEquals(Duration.ofMinutes(10), s.timeout());
        assertTrue(s.nextUpstream());
        assertEquals(0, s.nextUpstreamTries());
        assertEquals(Duration.ZERO, s.nextUpstreamTimeout());
        assertFalse(s.halfClose());
        assertEquals(16384, s.bufferSize());
        assertEquals(0, s.uploadRate());
        assertEquals(0, s.downloadRate());
        assertEquals(ProxyProtocol.OFF, s.proxyProtocol());
        assertFalse(s.socketKeepalive());
        assertEquals(new TlsConfig(false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), true, 1, Optional.empty(), true, List.of("TLSv1.2", "TLSv1.3"), "DEFAULT",
                List.of(), true), s.tls());
        assertEquals(new ErrorLogConfig(Optional.empty(), LogLevel.INFO), c.errorLog());
        assertEquals(new AccessLogConfig(true, Optional.empty(), "main", Logs.MAIN_FORMAT), c.accessLog());
        assertEquals(Duration.ofSeconds(30), c.shutdownTimeout());
        assertEquals(Optional.empty(), s.healthCheck());
        assertEquals(Duration.ofSeconds(30), c.resolverValid());
    }

    @Test
    void healthCheckIsInheritedAndABlockMayTurnItOff() throws Exception {
        ProxyConfig c = files().load("health_check = interval=2s fails=3", "resolver_valid = 5s",
                "server.a.listen = 1", "server.a.proxy_pass = h:1",
                "server.b.listen = 2", "server.b.proxy_pass = h:1", "server.b.health_check = off",
                "server.c.listen = 3", "server.c.proxy_pass = h:1", "server.c.health_check = on");
        assertEquals(Duration.ofSeconds(2), c.servers().get(0).healthCheck().orElseThrow().interval());
        assertEquals(3, c.servers().get(0).healthCheck().orElseThrow().fails());
        assertEquals(Optional.empty(), c.servers().get(1).healthCheck());
        assertEquals(Optional.of(HealthCheck.DEFAULTS), c.servers().get(2).healthCheck());
        assertEquals(Duration.ofSeconds(5), c.resolverValid());
    }

    @Test
    void theNginxExampleTranslatedVerbatim() throws Exception {
        Path file = files().write(
                "upstream.backend = backend1.example.com:12345, backend2.example.com:12345, backend3.example.com:12345",
                "server.main.listen = 12345",
                "server.main.proxy_pass = backend",
                "server.main.proxy_ssl = on",
                "server.main.proxy_ssl_certificate = /etc/ssl/certs/backend.crt",
                "server.main.proxy_ssl_certificate_key = /etc/ssl/certs/backend.key",
                "server.main.proxy_ssl_protocols = TLSv1 TLSv1.1 TLSv1.2",
                "server.main.proxy_ssl_ciphers = HIGH:!aNULL:!MD5",
                "server.main.proxy_ssl_trusted_certificate = /etc/ssl/certs/trusted_ca_cert.crt",
                "server.main.proxy_ssl_verify = on",
                "server.main.proxy_ssl_verify_depth = 2",
                "server.main.proxy_ssl_session_reuse = on");
        ProxyConfig c = ConfigLoader.load(file);
        ServerConfig s = c.servers().get(0);
        assertEquals("main", s.name());
        assertEquals(List.of(new ListenAddress(new HostPort("0.0.0.0", 12345), -1, false, false)), s.listen());
        assertEquals(List.of("backend1.example.com:12345", "backend2.example.com:12345", "backend3.example.com:12345"),
                s.upstream().servers().stream().map(u -> u.address().toString()).toList());
        assertSame(c.upstreams().get("backend"), s.upstream());
        assertEquals(new Location(file, 1), s.upstream().where());
        assertEquals(new TlsConfig(true, Optional.of(Path.of("/etc/ssl/certs/backend.crt")),
                Optional.of(Path.of("/etc/ssl/certs/backend.key")), Optional.empty(),
                Optional.of(Path.of("/etc/ssl/certs/trusted_ca_cert.crt")), Optional.empty(), true, 2,
                Optional.empty(), true, List.of("TLSv1", "TLSv1.1", "TLSv1.2"), "HIGH:!aNULL:!MD5", List.of(), true),
                s.tls());
        assertEquals(new Location(file, 11), s.sources().of("proxy_ssl_verify_depth"));
    }

    @Test
    void topLevelProxyKeysAreInheritedAndSourcesSayFromWhere() throws Exception {
        Path file = files().write(
                "proxy_connect_timeout = 5s",
                "proxy_ssl_verify_depth = 3",
                "server.a.listen = 1001",
                "server.a.proxy_pass = x:1",
                "server.b.listen = 1002",
                "server.b.proxy_pass = x:1",
                "server.b.proxy_connect_timeout = 7s");
        ProxyConfig c = ConfigLoader.load(file);
        ServerConfig a = c.servers().get(0);
        ServerConfig b = c.servers().get(1);
        assertEquals(Duration.ofSeconds(5), a.connectTimeout());
        assertEquals(Duration.ofSeconds(7), b.connectTimeout());
        assertEquals(3, a.tls().verifyDepth());
        assertEquals(3, b.tls().verifyDepth());
        assertEquals(new Location(file, 1), a.sources().of("proxy_connect_timeout"));
        assertEquals(new Location(file, 7), b.sources().of("proxy_connect_timeout"));
        assertEquals(new Location(file, 2), b.sources().of("proxy_ssl_verify_depth"));
        assertEquals(new Location(file, 3), a.sources().of("listen"));
        assertEquals(new Location(file, 3), a.sources().block());
        assertEquals(new Location(file, 5), b.sources().of("proxy_ssl_crl"));
        assertFalse(a.sources().byKey().containsKey("proxy_ssl_crl"));
    }

    @Test
    void proxyPassHostPortIsAnImplicitGroupSharedByEveryBlock() throws Exception {
        Path file = files().write(
                "server.a.listen = 1001",
                "server.a.proxy_pass = [::1]:8443",
                "server.b.listen = 1002",
                "server.b.proxy_pass = [::1]:8443");
        ProxyConfig c = ConfigLoader.load(file);
        UpstreamGroupConfig g = c.servers().get(0).upstream();
        assertSame(g, c.servers().get(1).upstream());
        assertEquals("[::1]:8443", g.name());
        assertEquals(List.of(UpstreamValues.single(new HostPort("::1", 8443))), g.servers());
        assertEquals(new Location(file, 2), g.where());
        assertEquals(Map.of("[::1]:8443", g), c.upstreams());
    }

    @Test
    void namedGroupIsOneObjectForEveryBlockAndKeepsItsParameters() throws Exception {
        ProxyConfig c = files().load(
                "upstream.pool = a:1 weight=2 max_fails=0 fail_timeout=5 max_conns=9, b:2 backup, c:3 down",
                "upstream.unused = z:1",
                "server.a.listen = 1001",
                "server.a.proxy_pass = pool",
                "server.b.listen = 127.0.0.1:1002, [::1]:1002 backlog=64 reuseport so_keepalive=on",
                "server.b.proxy_pass = pool");
        assertSame(c.servers().get(0).upstream(), c.servers().get(1).upstream());
        assertEquals(List.of("pool", "unused"), List.copyOf(c.upstreams().keySet()));
        assertEquals(new UpstreamServer(new HostPort("a", 1), 2, 0, Duration.ofSeconds(5), 9, false, false),
                c.upstreams().get("pool").servers().get(0));
        assertTrue(c.upstreams().get("pool").servers().get(1).backup());
        assertTrue(c.upstreams().get("pool").servers().get(2).down());
        assertEquals(List.of(new ListenAddress(new HostPort("127.0.0.1", 1002), -1, false, false),
                new ListenAddress(new HostPort("::1", 1002), 64, true, true)), c.servers().get(1).listen());
    }

    @Test
    void everyValueForm() throws Exception {
        ServerConfig s = files().load(
                "server.m.listen = 1",
                "server.m.proxy_pass = h:2",
                "server.m.proxy_connect_timeout = 500ms",
                "server.m.proxy_timeout = 1h",
                "server.m.proxy_next_upstream = off",
                "server.m.proxy_next_upstream_tries = 3",
                "server.m.proxy_next_upstream_timeout = 1m30s",
                "server.m.proxy_half_close = on",
                "server.m.proxy_buffer_size = 64k",
                "server.m.proxy_upload_rate = 1m",
                "server.m.proxy_download_rate = 512",
                "server.m.proxy_protocol = on",
                "server.m.proxy_socket_keepalive = ON",
                "server.m.proxy_ssl_password_file = keys/pass.txt",
                "server.m.proxy_ssl_crl = crl.pem",
                "server.m.proxy_ssl_verify = off",
                "server.m.proxy_ssl_verify_depth = 0",
                "server.m.proxy_ssl_name = upstream.internal",
                "server.m.proxy_ssl_server_name = off",
                "server.m.proxy_ssl_session_reuse = off").servers().get(0);
        assertEquals(Duration.ofMillis(500), s.connectTimeout());
        assertEquals(Duration.ofHours(1), s.timeout());
        assertFalse(s.nextUpstream());
        assertEquals(3, s.nextUpstreamTries());
        assertEquals(Duration.ofSeconds(90), s.nextUpstreamTimeout());
        assertTrue(s.halfClose());
        assertEquals(65536, s.bufferSize());
        assertEquals(1048576, s.uploadRate());
        assertEquals(512, s.downloadRate());
        assertEquals(ProxyProtocol.V1, s.proxyProtocol());
        assertTrue(s.socketKeepalive());
        assertEquals(Optional.of(dir.resolve("keys/pass.txt")), s.tls().passwordFile());
        assertEquals(Optional.of(dir.resolve("crl.pem")), s.tls().crl());
        assertFalse(s.tls().verify());
        assertEquals(0, s.tls().verifyDepth());
        assertEquals(Optional.of("upstream.internal"), s.tls().name());
        assertFalse(s.tls().serverName());
        assertFalse(s.tls().sessionReuse());
    }

    @Test
    void confCommandRepeatsInOrderAndABlockThatSetsItDoesNotInherit() throws Exception {
        ProxyConfig c = files().load(
                "proxy_ssl_conf_command = Groups X25519",
                "server.a.listen = 1",
                "server.a.proxy_pass = h:2",
                "server.b.listen = 2",
                "server.b.proxy_pass = h:2",
                "server.b.proxy_ssl_conf_command = Ciphersuites TLS_AES_256_GCM_SHA384",
                "server.b.proxy_ssl_conf_command = Groups secp384r1");
        assertEquals(List.of("Groups X25519"), c.servers().get(0).tls().confCommands());
        assertEquals(List.of("Ciphersuites TLS_AES_256_GCM_SHA384", "Groups secp384r1"),
                c.servers().get(1).tls().confCommands());
    }

    @Test
    void logs() throws Exception {
        ProxyConfig c = files().load(
                "error_log = logs/error.log warn",
                "log_format.tls = $remote_addr ${upstream_ssl_protocol} $upstream_ssl_verify",
                "access_log = /var/log/lp/access.log tls",
                "shutdown_timeout = 5s",
                "server.a.listen = 1",
                "server.a.proxy_pass = h:2");
        assertEquals(new ErrorLogConfig(Optional.of(dir.resolve("logs/error.log")), LogLevel.WARN), c.errorLog());
        assertEquals(new AccessLogConfig(true, Optional.of(Path.of("/var/log/lp/access.log")), "tls",
                "$remote_addr ${upstream_ssl_protocol} $upstream_ssl_verify"), c.accessLog());
        assertEquals(Duration.ofSeconds(5), c.shutdownTimeout());
    }

    @Test
    void accessLogOffAndErrorLogWithoutLevel() throws Exception {
        ProxyConfig c = files().load("access_log = off", "error_log = stderr",
                "server.a.listen = 1", "server.a.proxy_pass = h:2");
        assertFalse(c.accessLog().enabled());
        assertEquals(new ErrorLogConfig(Optional.empty(), LogLevel.ERROR), c.errorLog());
    }

    @Test
    void everyDirectiveDefaultParses() {
        for (Directive<?> d : Directive.ALL) {
            assertEquals(d.defaultValue() != null, d.parsedDefault().isPresent(), d.name());
        }
    }
}

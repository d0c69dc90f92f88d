package loomproxy.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Valid configuration files for {@link ConfigFuzzTest} to mutate: the shipped example, and small ones
 * that between them use every directive and every form the reader knows (continuations, escapes,
 * both comment marks, the three separators, CR LF and CR line ends, a byte-order mark).
 */
final class ConfigSeeds {
    /** Every directive, with the parameters of upstream servers and listen entries. */
    static final String EVERY_DIRECTIVE = """
            upstream.backend = a.example:1 weight=5 max_fails=3 fail_timeout=30s max_conns=100, \\
            [::1]:2 backup, 10.0.0.9:3 down, [fe80::1%eth0]:4 max_fails=0 fail_timeout=1m
            upstream.spare = b.example:443
            proxy_connect_timeout = 5s
            proxy_timeout = 1h30m
            proxy_next_upstream = on
            proxy_next_upstream_tries = 3
            proxy_next_upstream_timeout = 500ms
            proxy_half_close = off
            proxy_buffer_size = 16k
            proxy_upload_rate = 1m
            proxy_download_rate = 0
            proxy_protocol = v2
            proxy_socket_keepalive = on
            proxy_ssl = on
            proxy_ssl_certificate = certs/client.crt
            proxy_ssl_certificate_key = certs/client.key
            proxy_ssl_password_file = certs/pass.txt
            proxy_ssl_trusted_certificate = /etc/ssl/ca.pem
            proxy_ssl_crl = crl.pem
            proxy_ssl_verify = on
            proxy_ssl_verify_depth = 2
            proxy_ssl_name = backend.internal
            proxy_ssl_server_name = off
            proxy_ssl_protocols = TLSv1.2 TLSv1.3
            proxy_ssl_ciphers = HIGH:!aNULL:!MD5
            proxy_ssl_conf_command = Ciphersuites TLS_AES_256_GCM_SHA384
            proxy_ssl_conf_command = Groups X25519:secp256r1
            proxy_ssl_session_reuse = off
            error_log = logs/error.log warn
            access_log = logs/access.log json
            log_format.json = {"addr":"$remote_addr","status":$status,"t":"${session_time}"}
            shutdown_timeout = 1m
            allow = 10.0.0.0/8, 2001:db8::/32
            deny = all
            limit_conn = 1000
            limit_conn_per_addr = 10
            limit_conn_log_level = warn
            server.main.listen = 127.0.0.1:12345 backlog=128 reuseport, [::1]:12345 so_keepalive=on, 12346
            server.main.proxy_pass = backend
            server.other.listen = *:0
            server.other.proxy_pass = localhost:8443
            server.other.proxy_ssl_verify = off
            server.other.proxy_timeout = 1d
            server.other.proxy_buffer_size = 4K
            server.other.proxy_ssl_protocols = tlsv1.3
            server.other.deny = 192.0.2.1
            server.other.allow = ::ffff:192.0.2.0/120
            server.other.limit_conn = 5
            """;

    /** The syntax of java.util.Properties: comment marks, separators, continuations, escapes. */
    static final String SYNTAX = """
            ! a comment with the other mark
            # a comment ending in a backslash is not continued \\
              \t  # an indented comment
            server.a.listen : 10000
            server.a.proxy_pass   h\\u0031:1
            upstream.gr\\u006fup = x:1 weight=2, \\
                y:2 max_fails=0, \\
            \t  z:3 backup
            server.b.listen 10001
            server.b.proxy_pass=group
            server.b.proxy_ssl_name = caf\\u00e9.example
            server.b.proxy_timeout = 1m 30s
            server.b.proxy_connect_timeout = 1s500ms
            log_format.tabs = $remote_addr\\t$status "\\u00e9" \\\\ $upstream_addr \\
                $upstream_ssl_verify
            access_log = stdout tabs
            error_log = stderr
            """;

    /** Windows line ends and a byte-order mark, as some editors save a file. */
    static final String WINDOWS = "\uFEFFserver.w.listen = 0.0.0.0:7000\r\nserver.w.proxy_pass = [2001:db8::1]:443\r\n"
            + "# note\r\nproxy_ssl = on\r\nproxy_ssl_trusted_certificate = C:\\\\certs\\\\ca.pem\r\n";

    /** Old Mac line ends (CR alone). */
    static final String CARRIAGE_RETURNS = "server.r.listen = 7001\rserver.r.proxy_pass = r.example:1\rproxy_timeout = 5\r";

    static final String MINIMAL = "server.m.listen = 1\nserver.m.proxy_pass = h:1\n";

    private ConfigSeeds() {}

    /** The shipped example first, then the small ones, as bytes (the loader reads bytes). */
    static List<byte[]> all() {
        try {
            byte[] shipped = Files.readAllBytes(Path.of("conf", "loomproxy.properties"));
            return List.of(shipped, utf8(EVERY_DIRECTIVE), utf8(SYNTAX), utf8(WINDOWS), utf8(CARRIAGE_RETURNS),
                    utf8(MINIMAL));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package loomproxy.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx with the stream module as a real TLS peer, run in the foreground from a
 * configuration written into the test's directory. The stream block gets the port to listen on.
 */
public final class NginxServer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/nginx");
    private static final Path STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");

    private final Process process;
    private final Path dir;
    private final int port;

    private NginxServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY) && Files.exists(STREAM_MODULE);
    }

    /** {@code streamServers} is the inside of {@code stream {}}, with %PORT% where nginx listens. */
    public static NginxServer start(Path dir, String streamServers) throws IOException, InterruptedException {
        int port = Ports.free();
        Files.createDirectories(dir);
        String conf = """
                load_module %s;
                worker_processes 1;
                pid %s/nginx.pid;
                error_log %s/error.log info;
                events { worker_connections 1024; }
                stream {
                %s
                }
                """.formatted(STREAM_MODULE, dir, dir, streamServers.replace("%PORT%", Integer.toString(port)));
        Files.writeString(dir.resolve("nginx.conf"), conf);
        Process process = new ProcessBuilder(List.of(BINARY.toString(), "-p", dir.toString(), "-e", dir + "/error.log",
                "-c", dir.resolve("nginx.conf").toString(), "-g", "daemon off;"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        NginxServer nginx = new NginxServer(process, dir, port);
        Wait.until(() -> !process.isAlive() || Ports.accepts(port), Duration.ofSeconds(20), () -> "nginx did not listen");
        if (!process.isAlive()) {
            throw new IllegalStateException("nginx exited: " + nginx.errorLog());
        }
        return nginx;
    }

    /**
     * nginx as a TLS upstream that requires a client certificate from {@code clientCa}, keeps a
     * session cache and tickets, and logs one line per connection to tls.log:
     * {@code $ssl_protocol $ssl_session_reused $ssl_client_verify $ssl_client_s_dn}; it forwards
     * plain TCP to {@code echoPort}.
     */
    public static NginxServer tlsUpstream(Path dir, Issued server, Path clientCa, int echoPort)
            throws IOException, InterruptedException {
        return start(dir, """
                log_format tls '$ssl_protocol $ssl_session_reused $ssl_client_verify $ssl_client_s_dn';
                server {
                    listen 127.0.0.1:%%PORT%% ssl;
                    ssl_certificate %s;
                    ssl_certificate_key %s;
                    ssl_client_certificate %s;
                    ssl_verify_client on;
                    ssl_verify_depth 2;
                    ssl_protocols TLSv1.2 TLSv1.3;
                    ssl_session_cache shared:loomproxy:1m;
                    ssl_session_tickets on;
                    access_log %s tls;
                    proxy_pass 127.0.0.1:%d;
                }
                """.formatted(server.chainPem(), server.keyPem(), clientCa, dir.resolve("tls.log"), echoPort));
    }

    public int port() {
        return port;
    }

    public String errorLog() {
        return read(dir.resolve("error.log")) + read(dir.resolve("stdout.log"));
    }

    public String read(String file) {
        return read(dir.resolve(file));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "[" + file + ": " + e.getMessage() + "]";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

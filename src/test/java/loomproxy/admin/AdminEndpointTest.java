package loomproxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import loomproxy.config.ConfigLoader;
import loomproxy.config.Problems;
import loomproxy.config.ProxyConfig;
import loomproxy.observe.AccessLog;
import loomproxy.proxy.Proxy;
import loomproxy.testkit.AdminClient;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.JsonReader;
import loomproxy.testkit.RecordingLog;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoint's HTTP surface (SPEC §10): paths, methods, admin_allow, /healthz through a drain, /status. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AdminEndpointTest {
    @TempDir
    Path dir;

    private static String config(String upstream, String extra) {
        return """
                admin_listen = 127.0.0.1:0
                upstream.backend = %s, 127.0.0.1:9 backup
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = backend
                %s
                """.formatted(upstream, extra);
    }

    @Test
    void pathsMethodsAndContentTypes() throws Exception {
        try (EchoServer echo = EchoServer.plain(); TestProxy proxy = TestProxy.start(dir, config(echo.address(), ""))) {
            assertEquals("127.0.0.1", proxy.admin().getAddress().getHostAddress());
            AdminClient.Response healthz = proxy.adminGet("/healthz");
            assertEquals(200, healthz.status());
            assertEquals("ok\n", healthz.body());
            assertEquals("text/plain; charset=utf-8", healthz.header("Content-Type"));
            assertEquals("application/json", proxy.adminGet("/status").header("Content-Type"));
            assertEquals(200, proxy.adminGet("/metrics?name[]=x").status(), "Prometheus may add a query");
            for (String path : List.of("/", "/metrics/", "/metricsx", "/status.json", "/../metrics", "/favicon.ico")) {
                assertEquals(404, proxy.adminGet(path).status(), path);
            }
            for (String method : List.of("POST", "PUT", "DELETE", "HEAD", "OPTIONS")) {
                AdminClient.Response r = AdminClient.request(method, proxy.admin(), "/metrics", null);
                assertEquals(405, r.status(), method);
                assertEquals("GET", r.header("Allow"), method);
            }
            assertEquals(404, AdminClient.request("POST", proxy.admin(), "/nothing", null).status(),
                    "an unknown path is unknown whatever the method");
            proxy.errors().await("admin endpoint listening on http://127.0.0.1:" + proxy.admin().getPort() + "/");
        }
    }

    /** Loopback has all of 127/8: a client from 127.0.0.2 is outside the default admin_allow (127.0.0.1, ::1). */
    /**
     * Clients that drip a request's headers and never finish (a slowloris) hold only their own
     * connections: /metrics and /healthz answer everyone else at once (QA: two such clients held
     * both threads of the endpoint's pool, and scrapes timed out).
     */
    @Test
    void clientsThatNeverFinishTheirHeadersDoNotStopTheOthers() throws Exception {
        try (EchoServer echo = EchoServer.plain(); TestProxy proxy = TestProxy.start(dir, config(echo.address(), ""))) {
            List<Socket> slow = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket(proxy.admin().getAddress(), proxy.admin().getPort());
                    s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    slow.add(s);
                }
                for (String path : List.of("/healthz", "/metrics", "/status")) {
                    assertEquals(200, proxy.adminGet(path).status(), path); // AdminClient gives up after 20 s
                }
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    @Test
    void clientsOutsideAdminAllowGet403ForEverything() throws Exception {
        InetAddress outsider = InetAddress.getByName("127.0.0.2");
        try (EchoServer echo = EchoServer.plain(); TestProxy proxy = TestProxy.start(dir, config(echo.address(), ""))) {
            for (String path : List.of("/metrics", "/healthz", "/status", "/nothing")) {
                AdminClient.Response r = AdminClient.request("GET", proxy.admin(), path, outsider);
                assertEquals(403, r.status(), path);
                assertEquals("forbidden\n", r.body());
            }
            assertEquals(403, AdminClient.request("POST", proxy.admin(), "/metrics", outsider).status());
            assertEquals(200, AdminClient.request("GET", proxy.admin(), "/metrics", InetAddress.getByName("127.0.0.1"))
                    .status());
        }
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo.address(), "admin_allow = 127.0.0.2, 10.0.0.0/8"))) {
            assertEquals(200, AdminClient.request("GET", proxy.admin(), "/healthz", outsider).status());
            assertEquals(403, proxy.adminGet("/healthz").status(), "127.0.0.1 is not listed any more");
        }
    }

    /**
     * Shutdown turns /healthz to 503 before it stops accepting, and the endpoint keeps answering
     * through the drain, so a balancer sees the change; it stops once the proxy has.
     */
    @Test
    void healthzIs503WhileDraining() throws Exception {
        try (EchoServer echo = EchoServer.plain()) {
            TestProxy proxy = TestProxy.start(dir, config(echo.address(), ""));
            InetSocketAddress admin = proxy.admin();
            CompletableFuture<Boolean> drained;
            try (Socket session = proxy.connect("main")) {
                Bytes.write(session, "before");
                assertEquals("before", Bytes.readString(session, 6));
                assertEquals(200, AdminClient.get(admin, "/healthz").status());
                drained = CompletableFuture.supplyAsync(() -> proxy.proxy().shutdown(Duration.ofSeconds(60)));
                Wait.until(() -> status(admin, "/healthz") == 503, Duration.ofSeconds(20), () -> "no 503 while draining");
                assertEquals("draining\n", AdminClient.get(admin, "/healthz").body());
                Map<?, ?> status = (Map<?, ?>) JsonReader.parse(AdminClient.get(admin, "/status").body());
                assertEquals("draining", status.get("health"));
                assertEquals(1L, JsonReader.at(status, "servers", 0, "active_sessions"));
                Bytes.write(session, "during");
                assertEquals("during", Bytes.readString(session, 6), "the open session is still served");
                assertFalse(drained.isDone());
            }
            assertTrue(drained.get(), "the session ended on its own");
            assertThrows(ConnectException.class, () -> AdminClient.get(admin, "/healthz"), "the endpoint stopped");
        }
    }

    private static int status(InetSocketAddress admin, String path) {
        try {
            return AdminClient.get(admin, path).status();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void statusDescribesBlocksAndPeers() throws Exception {
        Instant before = Instant.now().minusMillis(1);
        try (EchoServer echo = EchoServer.plain(); TestProxy proxy = TestProxy.start(dir, config(echo.address(), ""))) {
            try (Socket session = proxy.connect("main")) {
                Bytes.write(session, "x");
                assertEquals("x", Bytes.readString(session, 1));
                Object status = JsonReader.parse(proxy.adminGet("/status").body());
                assertEquals("dev", JsonReader.at(status, "version"));
                assertTrue(Instant.parse((String) JsonReader.at(status, "start_time")).isAfter(before));
                assertEquals("ok", JsonReader.at(status, "health"));
                assertEquals(dir.resolve("loomproxy.properties").toString(), JsonReader.at(status, "configuration", "file"));
                assertEquals(Map.of("time", "null", "result", "never", "errors", "[]"),
                        strings((Map<?, ?>) JsonReader.at(status, "configuration", "last_reload")));
                assertEquals(Map.of("name", "main", "listeners", "[127.0.0.1:" + proxy.port("main") + "]",
                                "active_sessions", "1", "total_sessions", "1"),
                        strings((Map<?, ?>) JsonReader.at(status, "servers", 0)));
                assertEquals("backend", JsonReader.at(status, "upstreams", 0, "name"));
                assertEquals(Map.of("address", echo.address(), "state", "up", "backup", "false", "active_sessions", "1",
                                "fails", "0", "last_failure", "null", "health", "{}", "certificate", "null"),
                        strings((Map<?, ?>) JsonReader.at(status, "upstreams", 0, "peers", 0)));
                assertEquals(Map.of("address", "127.0.0.1:9", "state", "up", "backup", "true", "active_sessions", "0",
                                "fails", "0", "last_failure", "null", "health", "{}", "certificate", "null"),
                        strings((Map<?, ?>) JsonReader.at(status, "upstreams", 0, "peers", 1)));
            }
        }
    }

    private static Map<String, String> strings(Map<?, ?> json) {
        Map<String, String> out = new java.util.TreeMap<>();
        json.forEach((k, v) -> out.put((String) k, String.valueOf(v)));
        return out;
    }

    @Test
    void anAdminPortInUseIsOneLineAndBindsNoListener() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = Files.writeString(dir.resolve("loomproxy.properties"), """
                    admin_listen = %d
                    server.main.listen = 127.0.0.1:0
                    server.main.proxy_pass = 127.0.0.1:9
                    """.formatted(taken.getLocalPort()));
            ProxyConfig config = ConfigLoader.load(file);
            RecordingLog errors = new RecordingLog();
            Proxy proxy = Proxy.prepare(config, errors.errorLog(), AccessLog.compile("$status", l -> { }), new Problems());
            BindException e = assertThrows(BindException.class, proxy::start);
            assertEquals("bind() to 127.0.0.1:" + taken.getLocalPort() + " failed (Address already in use) for"
                    + " admin_listen: another process listens there; stop it or change admin_listen", e.getMessage());
            assertTrue(proxy.addresses().getOrDefault("main", java.util.List.of()).isEmpty(),
                    "the admin endpoint is bound before any listener: nothing was bound, nobody was served");
        }
    }
}

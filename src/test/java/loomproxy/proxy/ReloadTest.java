package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import loomproxy.config.ConfigException;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.Ports;
import loomproxy.testkit.TestProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live reload (SPEC §7), through Proxy.reload as SIGHUP drives it: what did not change is kept — a
 * bound listener, a TLS context with its session cache, a server's failure state — open sessions
 * finish on their old settings, and a configuration that is wrong anywhere changes nothing.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReloadTest {
    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;

    @BeforeAll
    static void pki() {
        tls = MutualTls.in(pkiDir, "Reload", 0);
    }

    private static String plain(int listenPort, String upstream, String extra) {
        return """
                server.main.listen = 127.0.0.1:%d
                server.main.proxy_pass = %s
                %s
                """.formatted(listenPort, upstream, extra);
    }

    @Test
    void aKeptListenerServesTheNewSettingsWhileAnOpenSessionFinishesOnTheOld() throws Exception {
        try (EchoServer first = EchoServer.plain(); EchoServer second = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, plain(0, first.address(), ""))) {
            int port = proxy.port("main");
            try (Socket before = proxy.connect("main")) {
                Bytes.write(before, "one");
                assertEquals("one", Bytes.readString(before, 3));
                proxy.reload(plain(port, second.address(), ""));
                assertEquals(port, proxy.port("main"), "the same socket, still bound");
                try (Socket after = proxy.connect("main")) {
                    Bytes.write(after, "two");
                    assertEquals("two", Bytes.readString(after, 3));
                }
                Bytes.write(before, "three");
                assertEquals("three", Bytes.readString(before, 5), "the open session goes on, to its old upstream");
            }
            assertEquals(1, first.accepted(), "only the session from before the reload went to the old upstream");
            assertEquals(1, second.accepted());
        }
    }

    @Test
    void addedAddressesBindAndRemovedOnesStopAcceptingWhileTheirSessionsGoOn() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, plain(0, echo.address(), ""))) {
            int old = proxy.port("main");
            try (Socket open = proxy.connect("main")) {
                proxy.reload("""
                        server.other.listen = 127.0.0.1:0
                        server.other.proxy_pass = %s
                        """.formatted(echo.address()));
                assertEquals(List.of("other"), List.copyOf(proxy.proxy().addresses().keySet()));
                assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), old).close(),
                        "a removed address refuses");
                try (Socket added = proxy.connect("other")) {
                    Bytes.write(added, "new");
                    assertEquals("new", Bytes.readString(added, 3));
                }
                Bytes.write(open, "still");
                assertEquals("still", Bytes.readString(open, 5), "the removed block's session finishes");
            }
        }
    }

    @Test
    void anInvalidConfigurationOrAnAddressInUseChangesNothing() throws Exception {
        try (EchoServer first = EchoServer.plain(); EchoServer second = EchoServer.plain();
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             TestProxy proxy = TestProxy.start(dir, plain(0, first.address(), ""))) {
            int port = proxy.port("main");
            ConfigException invalid = assertThrows(ConfigException.class,
                    () -> proxy.reload(plain(port, second.address(), "proxy_timeout = soon")));
            assertTrue(invalid.problems().get(0).toString().contains("proxy_timeout"), invalid.problems().toString());
            String inUse = plain(port, second.address(), """
                    server.extra.listen = 127.0.0.1:0
                    server.extra.proxy_pass = %s
                    server.busy.listen = 127.0.0.1:%d
                    server.busy.proxy_pass = %s
                    """.formatted(second.address(), taken.getLocalPort(), second.address()));
            assertThrows(BindException.class, () -> proxy.reload(inUse));
            assertEquals(List.of("main"), List.copyOf(proxy.proxy().addresses().keySet()), "extra was not bound either");
            try (Socket c = proxy.connect("main")) {
                Bytes.write(c, "old");
                assertEquals("old", Bytes.readString(c, 3));
            }
            assertEquals(1, first.accepted(), "still the old upstream");
            assertEquals(0, second.accepted());
        }
    }

    @Test
    void changedSocketParametersRebindTheAddress() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, plain(0, echo.address(), ""))) {
            int port = proxy.port("main");
            proxy.reload("""
                    server.main.listen = 127.0.0.1:%d backlog=64
                    server.main.proxy_pass = %s
                    """.formatted(port, echo.address()));
            assertEquals(port, proxy.port("main"));
            try (Socket c = proxy.connect("main")) {
                Bytes.write(c, "b");
                assertEquals("b", Bytes.readString(c, 1));
            }
        }
    }

    /**
     * A TLS block whose settings and files are the same keeps its context, so the next connection
     * resumes; one whose trust changed gets a new context, so nothing is resumed across the change.
     */
    @Test
    void unchangedTlsKeepsItsSessionCacheAndChangedTlsStartsAfresh() throws Exception {
        try (EchoServer echo = tls.echo(true);
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + echo.port(), ""))) {
            int port = proxy.port("main");
            String config = tls.proxyConfig("localhost:" + echo.port(), "").replace("127.0.0.1:0", "127.0.0.1:" + port);
            roundTrip(proxy);
            proxy.reload(config + "proxy_timeout = 5m\n");
            roundTrip(proxy);
            Path copy = Files.copy(tls.trusted(), dir.resolve("trusted-copy.pem"));
            Files.writeString(copy, Files.readString(copy) + "\n# the same anchor, a different file\n");
            proxy.reload(config.replace(tls.trusted().toString(), copy.toString()));
            roundTrip(proxy);
            assertEquals(List.of(false, true, false),
                    echo.handshakes().stream().map(EchoServer.Handshake::resumed).toList());
        }
    }

    /** A server that failed keeps its failure across a reload that only added a server to its group. */
    @Test
    void aServerThatStaysKeepsItsFailureState() throws Exception {
        try (EchoServer good = EchoServer.plain(); EchoServer other = EchoServer.plain()) {
            int closed = Ports.closed();
            String group = "upstream.pool = 127.0.0.1:%d fail_timeout=60s, %s".formatted(closed, good.address());
            try (TestProxy proxy = TestProxy.start(dir, group + "\n" + plain(0, "pool", ""))) {
                int port = proxy.port("main");
                roundTripPlain(proxy); // the closed server is tried first, fails, is skipped for 60 s
                proxy.errors().await("connect failed", "127.0.0.1:" + closed);
                proxy.reload(group + ", " + other.address() + "\n" + plain(port, "pool", ""));
                for (int i = 0; i < 4; i++) {
                    roundTripPlain(proxy);
                }
                assertEquals(1, proxy.errors().matching("127.0.0.1:" + closed + " connect failed").size(),
                        "the failed server stayed failed: " + proxy.errors().lines());
                assertEquals(5, good.accepted() + other.accepted());
                assertFalse(other.accepted() == 0, "the added server is used");
            }
        }
    }

    /** admin_listen follows a reload (the endpoint moves), and the reload shows in the metrics. */
    @Test
    void theAdminEndpointMovesWithAReloadAndCountsIt() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, plain(0, echo.address(), "admin_listen = 127.0.0.1:0"))) {
            int port = proxy.port("main");
            var before = proxy.admin();
            assertEquals(200, proxy.adminGet("/healthz").status());
            assertThrows(ConfigException.class, () -> proxy.reload(plain(port, echo.address(), "proxy_timeout = soon")));
            proxy.reload(plain(port, echo.address(), "admin_listen = 127.0.0.2:0"));
            assertEquals("127.0.0.2", proxy.admin().getAddress().getHostAddress());
            assertThrows(IOException.class, () -> new Socket(before.getAddress(), before.getPort()).close(),
                    "the old endpoint is closed");
            assertEquals(200, proxy.adminGet("/healthz").status());
        }
    }

    /**
     * A reload that changes only admin_allow keeps the endpoint's socket and applies the new list:
     * binding the same address again would meet our own listener and fail every such reload.
     */
    @Test
    void aReloadChangingOnlyAdminAllowKeepsThePortAndAppliesTheList() throws Exception {
        int adminPort = Ports.free();
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, plain(0, echo.address(), "admin_listen = 127.0.0.1:" + adminPort))) {
            int port = proxy.port("main");
            assertEquals(200, proxy.adminGet("/healthz").status());
            proxy.reload(plain(port, echo.address(), "admin_listen = 127.0.0.1:" + adminPort + "\nadmin_allow = 127.0.0.2"));
            assertEquals(adminPort, proxy.admin().getPort());
            assertEquals(403, proxy.adminGet("/healthz").status(), "127.0.0.1 is no longer allowed");
            proxy.reload(plain(port, echo.address(), "admin_listen = 127.0.0.1:" + adminPort + "\nadmin_allow = 127.0.0.1"));
            assertEquals(200, proxy.adminGet("/healthz").status());
        }
    }

    private static void roundTrip(TestProxy proxy) throws IOException {
        try (Socket c = proxy.connect("main")) {
            Bytes.write(c, "tls");
            assertEquals("tls", Bytes.readString(c, 3));
        }
    }

    private static void roundTripPlain(TestProxy proxy) throws IOException {
        try (Socket c = proxy.connect("main")) {
            Bytes.write(c, "p");
            assertEquals("p", Bytes.readString(c, 1));
        }
    }
}

package loomproxy.proxy;

import static loomproxy.testkit.Loopback.Outcome.REFUSED;
import static loomproxy.testkit.Loopback.Outcome.THROUGH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Loopback;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.PromText;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * allow/deny (SPEC §9) with real clients on loopback, each bound to its own address (127.0.0.1,
 * 127.0.0.2, 127.0.0.3, ::1): who gets through, who is refused with 403, and how many connections
 * the upstream saw — none for a refused client.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AccessControlTest {
    @TempDir
    Path dir;

    /** A plain echo upstream; every session's line is "$remote_addr $status $upstream_addr". */
    private static String config(EchoServer echo, String servers) {
        return """
                upstream.backend = %s
                log_format.t = $remote_addr $status $upstream_addr
                access_log = stdout t
                %s
                """.formatted(echo.address(), servers);
    }

    private static InetSocketAddress address(TestProxy proxy, String server, Class<?> family) {
        return proxy.proxy().addresses().get(server).stream().filter(a -> family.isInstance(a.getAddress()))
                .findFirst().orElseThrow();
    }

    private static double sessions(TestProxy proxy, String server, String status) {
        return PromText.parse(proxy.proxy().metrics().scrape()).find("loomproxy_sessions_total",
                PromText.labels("server", server, "status", status)).orElse(0.0);
    }

    /** One client's try, and its session's end (its access log line), so lines come in the order of the tries. */
    private static Loopback.Outcome attempt(TestProxy proxy, String from, InetSocketAddress to) throws Exception {
        int before = proxy.access().lines().size();
        Loopback.Outcome outcome = Loopback.tryFrom(from, to);
        awaitLines(proxy, before + 1);
        return outcome;
    }

    private static void awaitLines(TestProxy proxy, int count) {
        Wait.until(() -> proxy.access().lines().size() == count, Duration.ofSeconds(20),
                () -> "access log: " + proxy.access().lines());
    }

    @Test
    void theFirstMatchingRuleDecidesForIpv4AndIpv6Clients() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo, """
                     server.main.listen = 127.0.0.1:0, [::1]:0
                     server.main.proxy_pass = backend
                     server.main.deny = 127.0.0.2
                     server.main.allow = 127.0.0.0/8, ::1
                     server.main.deny = all
                     server.v6.listen = [::1]:0
                     server.v6.proxy_pass = backend
                     server.v6.deny = ::1
                     server.v6.allow = all
                     server.closed.listen = 127.0.0.1:0
                     server.closed.proxy_pass = backend
                     server.closed.allow = 127.0.0.1
                     server.closed.deny = all
                     """))) {
            InetSocketAddress main4 = address(proxy, "main", Inet4Address.class);
            InetSocketAddress main6 = address(proxy, "main", Inet6Address.class);
            InetSocketAddress v6 = address(proxy, "v6", Inet6Address.class);
            InetSocketAddress closed = address(proxy, "closed", Inet4Address.class);

            assertEquals(THROUGH, attempt(proxy, "127.0.0.1", main4));
            assertEquals(REFUSED, attempt(proxy, "127.0.0.2", main4), "deny 127.0.0.2 comes before allow 127.0.0.0/8");
            assertEquals(THROUGH, attempt(proxy, "127.0.0.3", main4));
            assertEquals(THROUGH, attempt(proxy, "::1", main6));
            assertEquals(REFUSED, attempt(proxy, "::1", v6));
            assertEquals(THROUGH, attempt(proxy, "127.0.0.1", closed));
            assertEquals(REFUSED, attempt(proxy, "127.0.0.2", closed), "deny all");

            awaitLines(proxy, 7);
            assertEquals(4, echo.accepted(), "one upstream connection per client let through, none for a refused one");
            assertEquals(List.of("127.0.0.1 200 " + echo.address(), "127.0.0.2 403 -", "127.0.0.3 200 " + echo.address(),
                            "::1 200 " + echo.address(), "::1 403 -",
                            "127.0.0.1 200 " + echo.address(), "127.0.0.2 403 -"),
                    proxy.access().lines());
            List<String> forbidden = proxy.errors().matching("access forbidden by rule");
            assertEquals(3, forbidden.size(), String.join("\n", forbidden));
            assertTrue(forbidden.get(0).matches(".* \\[error] #2 access forbidden by rule, client: 127\\.0\\.0\\.2:\\d+, server: main"),
                    forbidden.get(0));
            assertTrue(forbidden.get(1).contains("access forbidden by rule, client: ::1:"), forbidden.get(1));
            assertTrue(forbidden.get(1).endsWith(", server: v6"), forbidden.get(1));
            assertTrue(proxy.errors().matching("upstream").isEmpty(), "no upstream work logged: " + proxy.errors().lines());
            assertEquals(1.0, sessions(proxy, "main", "403"));
            assertEquals(3.0, sessions(proxy, "main", "200"));
            assertEquals(1.0, sessions(proxy, "v6", "403"));
            assertEquals(1.0, sessions(proxy, "closed", "403"));
        }
    }

    @Test
    void aBlockWithoutRulesTakesTheTopLevelListAndOneWithAnyRuleOnlyItsOwn() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo, """
                     allow = 127.0.0.1
                     deny = all
                     server.inherits.listen = 127.0.0.1:0
                     server.inherits.proxy_pass = backend
                     server.own.listen = 127.0.0.1:0
                     server.own.proxy_pass = backend
                     server.own.deny = 127.0.0.1
                     server.nomatch.listen = 127.0.0.1:0
                     server.nomatch.proxy_pass = backend
                     server.nomatch.deny = 10.0.0.0/8
                     """))) {
            assertEquals(THROUGH, attempt(proxy, "127.0.0.1", proxy.address("inherits")));
            assertEquals(REFUSED, attempt(proxy, "127.0.0.2", proxy.address("inherits")));
            assertEquals(REFUSED, attempt(proxy, "127.0.0.1", proxy.address("own")));
            assertEquals(THROUGH, attempt(proxy, "127.0.0.2", proxy.address("own")), "no top-level deny all in a block with rules");
            assertEquals(THROUGH, attempt(proxy, "127.0.0.2", proxy.address("nomatch")), "no rule matches: allowed, as NGINX");
            awaitLines(proxy, 5);
            assertEquals(3, echo.accepted());
        }
    }

    /**
     * A dual-stack listener ({@code [::]}) sees IPv4 clients as IPv4-mapped IPv6 addresses at the
     * socket level; they match IPv4 rules.
     */
    @Test
    void ipv4ClientsOfADualStackListenerMatchIpv4Rules() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo, """
                     server.main.listen = [::]:0
                     server.main.proxy_pass = backend
                     server.main.deny = 127.0.0.2
                     server.main.deny = ::1
                     """))) {
            int port = proxy.address("main").getPort();
            assertEquals(REFUSED, attempt(proxy, "127.0.0.2", new InetSocketAddress("127.0.0.1", port)));
            assertEquals(THROUGH, attempt(proxy, "127.0.0.3", new InetSocketAddress("127.0.0.1", port)));
            assertEquals(REFUSED, attempt(proxy, "::1", new InetSocketAddress("::1", port)));
            awaitLines(proxy, 3);
            assertEquals(List.of("127.0.0.2 403 -", "127.0.0.3 200 " + echo.address(), "::1 403 -"),
                    proxy.access().lines());
            assertEquals(1, echo.accepted());
        }
    }

    /** Over TLS: a refused client costs no connection and no handshake at the upstream. */
    @Test
    void aDeniedClientCausesNoTlsWork() throws Exception {
        MutualTls tls = MutualTls.in(Files.createDirectories(dir.resolve("pki")), "Access", 0);
        try (EchoServer echo = tls.echo(true);
             TestProxy proxy = TestProxy.start(dir, tls.proxyConfig("localhost:" + echo.port(),
                     "proxy_ssl_verify_depth = 0\nserver.main.deny = 127.0.0.2"))) {
            for (int i = 0; i < 5; i++) {
                assertEquals(REFUSED, attempt(proxy, "127.0.0.2", proxy.address("main")));
            }
            assertEquals(THROUGH, attempt(proxy, "127.0.0.3", proxy.address("main")));
            proxy.access().await(" 200 ");
            Wait.until(() -> proxy.access().lines().size() == 6, Duration.ofSeconds(20), () -> "" + proxy.access().lines());
            assertEquals(1, echo.accepted());
            assertEquals(1, echo.handshakes().size());
            assertEquals(5, proxy.access().matching(" 403 ").size());
        }
    }
}

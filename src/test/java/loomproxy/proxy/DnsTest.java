package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.PromText;
import loomproxy.testkit.ProxyProcess;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS as NGINX does it (SPEC §11), through the JDK's own resolver: the proxy is a process
 * of its own (but in the one test that looks inside it) whose resolver reads only a hosts file the test writes ({@code -Djdk.net.hosts.file},
 * read once per JVM, hence the process), so names resolve to loopback addresses (127.0.0.2,
 * 127.0.0.3: all of 127/8 is loopback on Linux) and never touch the network. Rewriting the file is
 * how DNS changes under a running proxy; that the proxy sees each change within resolver_valid also
 * proves the JDK's address cache keeps nothing older.
 */
class DnsTest {
    private static final InetAddress TWO = address(127, 0, 0, 2);
    private static final InetAddress THREE = address(127, 0, 0, 3);

    @TempDir
    Path dir;
    private Path hosts;
    private EchoServer two;
    private EchoServer three;

    @BeforeEach
    void upstreams() throws IOException {
        hosts = dir.resolve("hosts");
        two = EchoServer.plainAt(TWO, 0);
        three = EchoServer.plainAt(THREE, two.port()); // one port: one server line, two addresses
    }

    @AfterEach
    void close() throws IOException {
        two.close();
        three.close();
    }

    @Test
    void everyAddressOfANameIsAServerAndUpstreamAddrShowsIt() throws Exception {
        hosts("127.0.0.2 backend.test", "127.0.0.3 backend.test");
        try (ProxyProcess proxy = start("upstream.b = backend.test:" + two.port() + " weight=1")) {
            for (int i = 0; i < 4; i++) {
                echo(proxy, "hello " + i);
            }
            Wait.until(() -> count(proxy.output(), "\"127.0.0.2:" + two.port() + "\"") == 2
                            && count(proxy.output(), "\"127.0.0.3:" + two.port() + "\"") == 2,
                    Duration.ofSeconds(20), () -> "round robin over both addresses, each as IP:port:\n" + proxy.output());
            assertEquals(2, two.accepted());
            assertEquals(2, three.accepted());
        }
    }

    @Test
    void aNameThatDoesNotResolveIsAConfigurationErrorUnlessTheServerHasResolve() throws Exception {
        hosts("127.0.0.2 backend.test");
        Path file = config("upstream.b = backend.test:1, nowhere.test:2");
        ProxyProcess.Outcome refused = ProxyProcess.run(hostsOption(), "--check", file.toString());
        assertEquals(1, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains(file + ":1: upstream.b: host not found in upstream \"nowhere.test:2\";"
                + " correct the name, or add resolve to look it up again every resolver_valid until it resolves"), refused.output());

        Path direct = dir.resolve("direct.properties");
        Files.writeString(direct, "server.m.listen = 127.0.0.1:1\nserver.m.proxy_pass = nowhere.test:3\n");
        ProxyProcess.Outcome named = ProxyProcess.run(hostsOption(), "--check", direct.toString());
        assertEquals(1, named.exitCode(), named.output());
        // resolve cannot follow proxy_pass (one word): the advice says how to write a group that has it.
        assertTrue(named.output().contains(direct + ":2: server.m.proxy_pass: host not found in upstream \"nowhere.test:3\";"
                + " correct the name, or define a group to look it up again every resolver_valid until it resolves:"
                + " upstream.NAME = nowhere.test:3 resolve, and proxy_pass = NAME"), named.output());

        Path later = config("upstream.b = backend.test:1, nowhere.test:2 resolve");
        ProxyProcess.Outcome accepted = ProxyProcess.run(hostsOption(), "--check", later.toString());
        assertEquals(0, accepted.exitCode(), accepted.output());
        assertTrue(accepted.output().contains("[warn] " + later + ":1: upstream.b: host not found in upstream \"nowhere.test:2\""),
                accepted.output());
    }

    @Test
    void resolveFollowsTheNameWithoutDisturbingOpenSessions() throws Exception {
        hosts("127.0.0.2 backend.test");
        try (ProxyProcess proxy = start("resolver_valid = 1s\nupstream.b = backend.test:" + two.port() + " resolve")) {
            Socket open = proxy.connect();
            roundTrip(open, "before");
            assertEquals(1, two.accepted());

            hosts("127.0.0.3 backend.test");
            Wait.until(() -> proxy.output().contains("upstream b: backend.test:" + two.port() + " now resolves to [127.0.0.3:"
                    + two.port() + "]"), Duration.ofSeconds(20), () -> "the change within resolver_valid:\n" + proxy.output());
            echo(proxy, "after");
            assertEquals(1, three.accepted(), "a new session goes to the new address");
            roundTrip(open, "still there"); // the removed address's open session is not touched
            open.close();
            Wait.until(() -> count(proxy.output(), "\"127.0.0.2:" + two.port() + "\"") == 1, Duration.ofSeconds(20),
                    () -> "the old session ends normally, as 127.0.0.2:\n" + proxy.output());

            hosts("127.0.0.2 backend.test", "127.0.0.3 backend.test");
            Wait.until(() -> proxy.output().contains("now resolves to [127.0.0.2:" + two.port() + ", 127.0.0.3:"),
                    Duration.ofSeconds(20), () -> "an address that appears is added:\n" + proxy.output());
            echo(proxy, "a");
            echo(proxy, "b");
            assertEquals(2, two.accepted());
            assertEquals(2, three.accepted());

            Files.delete(hosts); // a DNS outage keeps the addresses found last
            Wait.until(() -> proxy.output().contains("could not be resolved; keeping its addresses"), Duration.ofSeconds(20),
                    proxy::output);
            echo(proxy, "c");
            assertEquals(5, two.accepted() + three.accepted());
        }
    }

    /**
     * What DNS changes do to the rest, in process (the lookup is a function the test changes, the
     * same seam the hosts file feeds in a real run): the removed address's series leave /metrics
     * once its session ends, the added one's appear, and the health checks follow — a check for the
     * new address, none left for the old — while the address that stays keeps its check.
     */
    @Test
    void metricsAndHealthChecksFollowTheAddresses() throws Exception {
        AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of(TWO));
        Function<String, List<InetAddress>> lookup = name -> name.equals("backend.test") ? answer.get() : List.of();
        try (TestProxy proxy = TestProxy.start(dir, """
                resolver_valid = 1s
                health_check = interval=200ms
                upstream.b = backend.test:%d resolve
                server.m.listen = 127.0.0.1:0
                server.m.proxy_pass = b
                """.formatted(two.port()), lookup)) {
            String old = "127.0.0.2:" + two.port();
            String added = "127.0.0.3:" + two.port();
            Socket open = proxy.connect("m");
            roundTrip(open, "held");
            Wait.until(() -> checks(proxy, old) >= 1, Duration.ofSeconds(20), () -> proxy.proxy().metrics().scrape());

            answer.set(List.of(THREE));
            proxy.errors().await("now resolves to [" + added + "]");
            Wait.until(() -> checks(proxy, added) >= 1, Duration.ofSeconds(20), () -> "no check of the new address: "
                    + proxy.proxy().metrics().scrape());
            assertEquals(List.of(added), proxy.proxy().healthVerdicts().get("m").keySet().stream().map(Object::toString).toList());
            assertTrue(peerUp(proxy).containsKey(old), "its session is open: the old address is still listed");
            assertEquals(0.0, peerUp(proxy).get(old), "but never chosen");
            roundTrip(open, "still held");
            open.close();
            Wait.until(() -> !peerUp(proxy).containsKey(old), Duration.ofSeconds(20),
                    () -> "the old address's series stay: " + peerUp(proxy));
            assertEquals(1.0, peerUp(proxy).get(added));
        }
    }

    /**
     * A resolve server whose name does not resolve yet starts empty (a warning at load, SPEC §11):
     * sessions get 502 at once with "no live upstreams", and once the name resolves the server is
     * there without a reload.
     */
    @Test
    void aResolveNameThatDoesNotResolveYetIsUsedOnceItDoes() throws Exception {
        AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of());
        try (TestProxy proxy = TestProxy.start(dir, """
                resolver_valid = 1s
                upstream.b = later.test:%d resolve
                server.m.listen = 127.0.0.1:0
                server.m.proxy_pass = b
                """.formatted(two.port()), name -> name.equals("later.test") ? answer.get() : List.of())) {
            try (Socket s = proxy.connect("m")) {
                s.setSoTimeout(20_000);
                assertEquals(-1, s.getInputStream().read(), "no server yet: closed at once");
            }
            proxy.errors().await("no live upstreams in \"b\"");
            proxy.access().await(" 502 ", "\"b\"");
            answer.set(List.of(TWO));
            proxy.errors().await("upstream b: later.test:" + two.port() + " now resolves to [127.0.0.2:" + two.port() + "]");
            try (Socket s = proxy.connect("m")) {
                s.setSoTimeout(20_000);
                roundTrip(s, "there now");
            }
            assertEquals(1, two.accepted());
        }
    }

    private static double checks(TestProxy proxy, String peer) {
        return PromText.parse(proxy.proxy().metrics().scrape()).find("loomproxy_health_checks_total",
                PromText.labels("server", "m", "upstream", "b", "peer", peer, "result", "ok")).orElse(0.0);
    }

    private static Map<String, Double> peerUp(TestProxy proxy) {
        Map<String, Double> up = new TreeMap<>();
        for (PromText.Sample s : PromText.parse(proxy.proxy().metrics().scrape()).samples("loomproxy_upstream_peer_up")) {
            up.put(s.labels().get("peer"), s.value());
        }
        return up;
    }

    private ProxyProcess start(String upstream) throws IOException {
        return ProxyProcess.start(dir, upstream + "\nserver.m.listen = 127.0.0.1:%PORT%\nserver.m.proxy_pass = b\n",
                hostsOption());
    }

    private List<String> hostsOption() {
        return List.of("-Djdk.net.hosts.file=" + hosts);
    }

    private Path config(String upstream) throws IOException {
        Path file = dir.resolve("check-" + System.nanoTime() + ".properties");
        Files.writeString(file, upstream + "\nserver.m.listen = 127.0.0.1:1\nserver.m.proxy_pass = b\n");
        return file;
    }

    /** Replaces the hosts file in one step, so the resolver never reads half of it. */
    private void hosts(String... lines) throws IOException {
        Path next = dir.resolve("hosts.next");
        Files.writeString(next, String.join("\n", lines) + "\n");
        Files.move(next, hosts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void echo(ProxyProcess proxy, String text) throws IOException {
        try (Socket s = proxy.connect()) {
            roundTrip(s, text);
        }
    }

    private static void roundTrip(Socket s, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.US_ASCII);
        OutputStream out = s.getOutputStream();
        out.write(sent);
        out.flush();
        InputStream in = s.getInputStream();
        assertEquals(text, new String(in.readNBytes(sent.length), StandardCharsets.US_ASCII));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

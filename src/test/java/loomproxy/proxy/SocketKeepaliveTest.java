package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.TestProxy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listen … so_keepalive=on} and {@code proxy_socket_keepalive}, seen as the kernel sees the
 * proxy's two sockets ({@code ss -o} shows a keepalive timer on a socket with SO_KEEPALIVE): on
 * where asked, and off (the kernel's default, set with no system call) where not.
 */
class SocketKeepaliveTest {
    @TempDir
    Path dir;

    @Test
    void keepaliveOnBothSidesWhenAsked() throws Exception {
        assertEquals(List.of(true, true), keepaliveOfClientAndUpstreamSockets(" so_keepalive=on", "proxy_socket_keepalive = on"));
    }

    @Test
    void keepaliveOffByDefault() throws Exception {
        assertEquals(List.of(false, false), keepaliveOfClientAndUpstreamSockets("", ""));
    }

    @Test
    void eachSideOnItsOwn() throws Exception {
        assertEquals(List.of(true, false), keepaliveOfClientAndUpstreamSockets(" so_keepalive=on", ""));
        assertEquals(List.of(false, true), keepaliveOfClientAndUpstreamSockets("", "proxy_socket_keepalive = on"));
    }

    /** Whether the proxy's accepted client socket and its upstream socket have SO_KEEPALIVE. */
    private List<Boolean> keepaliveOfClientAndUpstreamSockets(String listenOption, String extra) throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, """
                     server.main.listen = 127.0.0.1:0%s
                     server.main.proxy_pass = %s
                     %s
                     """.formatted(listenOption, echo.address(), extra));
             Socket client = proxy.connect("main")) {
            Bytes.write(client, "ping");
            assertEquals("ping", Bytes.readString(client, 4));
            int proxyPort = proxy.port("main");
            int echoPort = Integer.parseInt(echo.address().substring(echo.address().lastIndexOf(':') + 1));
            return List.of(keepalive("sport = :" + proxyPort), keepalive("dport = :" + echoPort));
        }
    }

    /** Whether the one established TCP socket matching the filter has a keepalive timer. */
    private static boolean keepalive(String filter) throws IOException, InterruptedException {
        List<String> lines = ss("-tnoH", "state", "established", filter);
        assertEquals(1, lines.size(), "sockets matching " + filter + ": " + lines);
        return lines.get(0).contains("timer:(keepalive");
    }

    private static List<String> ss(String... args) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(concat("ss", args)).redirectErrorStream(true).start();
        } catch (IOException noSs) {
            Assumptions.abort("no ss (iproute2) to read socket timers with");
            throw noSs;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "ss did not finish");
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}

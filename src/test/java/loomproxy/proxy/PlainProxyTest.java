package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Ports;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy_ssl off: the data path, session endings and upstream choice over plain TCP. */
class PlainProxyTest {
    @TempDir
    Path dir;

    private static String config(String upstream, String extra) {
        return """
                upstream.backend = %s
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = backend
                %s
                """.formatted(upstream, extra);
    }

    @Test
    void echoesBytesAndLogsTheSession() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo.address(), ""));
             Socket client = proxy.connect("main")) {
            Bytes.write(client, "hello, upstream");
            assertEquals("hello, upstream", Bytes.readString(client, 15));
            client.close();
            String line = proxy.access().await(" 200 ", echo.address());
            assertTrue(line.startsWith("127.0.0.1 ["), line);
            assertTrue(line.contains(" 200 15 15 "), line);
        }
    }

    @Test
    void halfCloseOffEndsTheSessionAtTheFirstEof() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + upstream.getLocalPort(), ""));
             Socket client = proxy.connect("main")) {
            try (Socket server = upstream.accept()) {
                Bytes.write(client, "abc");
                client.shutdownOutput();
                server.setSoTimeout(20_000);
                assertEquals("abc", new String(Bytes.readToEof(server.getInputStream()), StandardCharsets.UTF_8));
                // The proxy closed both sides: the upstream's late reply cannot reach the client.
                assertEquals(0, Bytes.readToEof(client.getInputStream()).length);
            }
        }
    }

    @Test
    void halfCloseOnPassesEachEofAndKeepsTheOtherDirection() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + upstream.getLocalPort(), "proxy_half_close = on"));
             Socket client = proxy.connect("main")) {
            try (Socket server = upstream.accept()) {
                server.setSoTimeout(20_000);
                Bytes.write(client, "request");
                client.shutdownOutput();
                assertEquals("request", new String(Bytes.readToEof(server.getInputStream()), StandardCharsets.UTF_8));
                Bytes.write(server, "reply after your EOF");
                server.shutdownOutput();
                assertEquals("reply after your EOF", new String(Bytes.readToEof(client.getInputStream()), StandardCharsets.UTF_8));
            }
            proxy.access().await(" 200 20 7 ");
        }
    }

    @Test
    void idleSessionEndsAfterProxyTimeout() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(echo.address(), "proxy_timeout = 300ms"));
             Socket client = proxy.connect("main")) {
            Bytes.write(client, "x");
            assertEquals("x", Bytes.readString(client, 1));
            assertEquals(0, Bytes.readToEof(client.getInputStream()).length, "the proxy ends the idle session");
            proxy.errors().await("timed out after 300ms", "client: 127.0.0.1", "server: main");
            proxy.access().await(" 200 1 1 ");
        }
    }

    @Test
    void refusedUpstreamGives502AndAClosedClient() throws Exception {
        int refused = Ports.closed();
        try (TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + refused, ""));
             Socket client = proxy.connect("main")) {
            assertEquals(0, Bytes.readToEof(client.getInputStream()).length);
            proxy.errors().await("upstream 127.0.0.1:" + refused + " connect failed", "Connection refused", "server: main");
            proxy.access().await(" 502 0 0 ");
        }
    }

    @Test
    void failsOverPastARefusedServer() throws Exception {
        int refused = Ports.closed();
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + refused + ", " + echo.address(), ""));
             Socket client = proxy.connect("main")) {
            Bytes.write(client, "ping");
            assertEquals("ping", Bytes.readString(client, 4));
            client.close();
            proxy.access().await(" 200 ", "\"127.0.0.1:" + refused + ", " + echo.address() + "\"");
        }
    }

    @Test
    void nextUpstreamOffStopsAtTheFirstFailure() throws Exception {
        int refused = Ports.closed();
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + refused + ", " + echo.address(),
                     "proxy_next_upstream = off"));
             Socket client = proxy.connect("main")) {
            assertEquals(0, Bytes.readToEof(client.getInputStream()).length);
            proxy.access().await(" 502 ", "\"127.0.0.1:" + refused + "\"");
            assertEquals(0, echo.accepted());
        }
    }

    @Test
    void nextUpstreamTriesLimitsTheAttempts() throws Exception {
        int first = Ports.closed();
        int second = Ports.closed();
        try (EchoServer echo = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + first + ", 127.0.0.1:" + second + ", "
                     + echo.address(), "proxy_next_upstream_tries = 2"));
             Socket client = proxy.connect("main")) {
            assertEquals(0, Bytes.readToEof(client.getInputStream()).length);
            proxy.access().await(" 502 ", "\"127.0.0.1:" + first + ", 127.0.0.1:" + second + "\"");
            assertEquals(0, echo.accepted());
        }
    }

    @Test
    void backupServesWhenThePrimaryIsDown() throws Exception {
        try (EchoServer primary = EchoServer.plain(); EchoServer backup = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(primary.address() + " down, " + backup.address() + " backup", ""))) {
            roundTrip(proxy, "to the backup");
            assertEquals(0, primary.accepted());
            assertEquals(1, backup.accepted());
        }
    }

    @Test
    void weightedRoundRobinAndBackup() throws Exception {
        try (EchoServer a = EchoServer.plain(); EchoServer b = EchoServer.plain(); EchoServer backup = EchoServer.plain();
             TestProxy proxy = TestProxy.start(dir, config(
                     a.address() + " weight=3, " + b.address() + ", " + backup.address() + " backup", ""))) {
            for (int i = 0; i < 8; i++) {
                roundTrip(proxy, "n" + i);
            }
            Wait.until(() -> a.accepted() + b.accepted() == 8, java.time.Duration.ofSeconds(10), () -> "8 sessions");
            assertEquals(Map.of("a", 6, "b", 2, "backup", 0),
                    Map.of("a", a.accepted(), "b", b.accepted(), "backup", backup.accepted()));
        }
    }

    @Test
    void earlyClientBytesAreDeliveredOnceTheUpstreamIsReady() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + upstream.getLocalPort(), ""));
             Socket client = proxy.connect("main")) {
            Bytes.write(client, "sent before the upstream accepted");
            try (Socket server = upstream.accept()) {
                assertEquals("sent before the upstream accepted", Bytes.readString(server, 33));
            }
        }
    }

    @Test
    void proxyProtocolLineComesFirst() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + upstream.getLocalPort(), "proxy_protocol = on"));
             Socket client = proxy.connect("main")) {
            Bytes.write(client, "payload");
            try (Socket server = upstream.accept()) {
                String expected = "PROXY TCP4 127.0.0.1 127.0.0.1 " + client.getLocalPort() + " " + proxy.port("main") + "\r\n";
                assertEquals(expected + "payload", Bytes.readString(server, expected.length() + 7));
            }
        }
    }

    /**
     * Only a lower bound: a slower machine can only take longer, so this cannot fail for speed. The
     * pace counts from the session's start (as NGINX's), so the clock starts before the session
     * exists; and the last read may take up to 16k at once, so what is held back is the 30,000 -
     * 16,384 bytes before it: 13,616 bytes at 20,480 bytes/s, 664.8 ms.
     */
    @Test
    void downloadRateHoldsTheUpstreamsBytesBack() throws Exception {
        byte[] payload = new byte[30_000];
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + upstream.getLocalPort(), "proxy_download_rate = 20k"))) {
            long started = System.nanoTime();
            try (Socket client = proxy.connect("main")) {
                Bytes.write(client, "go");
                try (Socket server = upstream.accept()) {
                    Bytes.readString(server, 2);
                    server.getOutputStream().write(payload);
                    Bytes.readExactly(client.getInputStream(), payload.length);
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    assertTrue(millis >= 664, "30,000 bytes at 20k/s arrived in " + millis + " ms");
                }
            }
        }
    }

    @Test
    void upstreamResetIsPassedOnAsAReset() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             TestProxy proxy = TestProxy.start(dir, config("127.0.0.1:" + upstream.getLocalPort(), ""));
             Socket client = proxy.connect("main")) {
            Bytes.write(client, "x");
            try (Socket server = upstream.accept()) {
                Bytes.readString(server, 1);
                Bytes.write(server, "partial");
                server.setSoLinger(true, 0);
            }
            InputStream in = client.getInputStream();
            assertEquals("partial", new String(Bytes.readExactly(in, 7), StandardCharsets.UTF_8));
            assertThrows(SocketException.class, () -> Bytes.readToEof(in), "a cut stream must not end like a whole one");
        }
    }

    @Test
    void bindFailureNamesTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String text = """
                    server.main.listen = 127.0.0.1:%d
                    server.main.proxy_pass = 127.0.0.1:9
                    """.formatted(taken.getLocalPort());
            IOException e = assertThrows(IOException.class, () -> TestProxy.start(dir, text));
            assertTrue(e.getMessage().contains("bind() to 127.0.0.1:" + taken.getLocalPort() + " failed"), e.getMessage());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    private static void roundTrip(TestProxy proxy, String text) throws IOException {
        try (Socket client = proxy.connect("main")) {
            OutputStream out = client.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), Bytes.readExactly(client.getInputStream(), text.length()));
        }
    }

}

package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import loomproxy.testkit.Bystander;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.Ca;
import loomproxy.testkit.CertSpec;
import loomproxy.testkit.CloseNotifyThenGarbage;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.FloodingUpstream;
import loomproxy.testkit.HelloThenSilence;
import loomproxy.testkit.Issued;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.NotTlsUpstream;
import loomproxy.testkit.OpensslServer;
import loomproxy.testkit.ResetMidTransfer;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upstreams that behave as an attacker or a broken server would. Each fault ends its session
 * visibly — a status in the access log and one escaped line with a stable reason in the error log,
 * never a stack trace — or delivers exactly the bytes it should; and a well-behaved session through
 * the same proxy meanwhile keeps echoing, intact.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileUpstreamTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;
    static EchoServer echo;
    static Issued fortyDeep;

    @BeforeAll
    static void start() throws IOException {
        tls = MutualTls.in(pkiDir, "Hostile", 0);
        echo = tls.echo(true);
    }

    @AfterAll
    static void stop() throws IOException {
        echo.close();
    }

    /**
     * Block {@code main} in front of {@code servers}; block {@code good} in front of the echo
     * upstream, for the bystander; TLS settings shared; {@code extra} lines last.
     */
    private static String config(String servers, String extra) {
        return tls.proxyConfig(servers, """
                server.good.listen = 127.0.0.1:0
                server.good.proxy_pass = localhost:%d
                %s
                """.formatted(echo.port(), extra));
    }

    private static Bystander bystander(TestProxy proxy) throws IOException {
        Bystander bystander = Bystander.on(proxy.connect("good"), 7);
        bystander.awaitProgress(64 * 1024, LIMIT);
        return bystander;
    }

    /** The bystander is still echoing, then stops with every byte intact. */
    private static void assertUndisturbed(Bystander bystander) throws InterruptedException, IOException {
        bystander.awaitProgress(64 * 1024, LIMIT);
        bystander.stop(LIMIT);
    }

    /** What no error log line may ever be: a stack trace, a bug of ours, or more than one line. */
    private static void assertCleanErrorLog(TestProxy proxy) {
        for (String line : proxy.errors().lines()) {
            assertTrue(!line.contains("\n") && !line.contains("\r"), "a line split in two: " + line);
            assertTrue(!line.contains("Exception") && !line.contains("\tat "), "a stack trace or exception name: " + line);
            assertTrue(!line.contains("internal error"), "a bug of ours: " + line);
        }
    }

    static Stream<Arguments> notTls() {
        return Stream.of(
                Arguments.of("an SSH server's banner", NotTlsUpstream.SSH_BANNER),
                Arguments.of("an HTTP server's 400", NotTlsUpstream.HTTP_400),
                Arguments.of("random bytes", NotTlsUpstream.noise(300, 11)));
    }

    /**
     * proxy_ssl in front of something that is not TLS: reason {@code not_tls}, 502 with no other
     * server to try, and with one, the session goes on to it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("notTls")
    void anUpstreamThatIsNotTlsIsNamedAndTheNextServerIsTried(String what, byte[] answer) throws Exception {
        try (NotTlsUpstream hostile = new NotTlsUpstream(answer);
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + hostile.port(), """
                     upstream.both = localhost:%d, localhost:%d
                     server.failover.listen = 127.0.0.1:0
                     server.failover.proxy_pass = both
                     """.formatted(hostile.port(), echo.port())));
             Bystander bystander = bystander(proxy)) {
            try (Socket client = proxy.connect("main")) {
                assertEquals(0, Bytes.readToEof(client.getInputStream()).length, "502: closed without a byte");
            }
            proxy.errors().await("upstream 127.0.0.1:" + hostile.port() + " handshake failed: not_tls: ", "server: main");
            proxy.access().await(" 502 ", "\"not_tls\"");

            try (Socket client = proxy.connect("failover")) {
                byte[] payload = "through the next server".getBytes(StandardCharsets.UTF_8);
                assertArrayEquals(payload, Bytes.echo(client, payload));
            }
            // $upstream_addr lists both tries; $upstream_ssl_verify is the last one's verdict.
            proxy.access().await(" 200 ", "\"127.0.0.1:" + hostile.port() + ", 127.0.0.1:" + echo.port() + "\"", "\"ok\"");
            assertUndisturbed(bystander);
            assertCleanErrorLog(proxy);
            Wait.until(() -> hostile.ended() == 2, LIMIT, () -> "the not-TLS connections are still open");
        }
    }

    /**
     * A genuine ServerHello and then nothing: the rest of the handshake never comes, and the session
     * ends at proxy_connect_timeout, a deadline for the whole handshake, with handshake_timeout.
     */
    @Test
    void aHandshakeThatStallsAfterTheServerHelloEndsAtTheDeadline() throws Exception {
        try (HelloThenSilence stalling = new HelloThenSilence(echo.port());
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + stalling.port(), "proxy_connect_timeout = 2s"));
             Bystander bystander = bystander(proxy);
             Socket client = proxy.connect("main")) {
            long started = System.nanoTime();
            assertEquals(0, Bytes.readToEof(client.getInputStream()).length);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMillis >= 2_000, "ended after " + tookMillis + "ms, before the deadline");
            Wait.until(() -> stalling.hellos() == 1, LIMIT, () -> "the ServerHello did not go through");
            proxy.errors().await("handshake failed: handshake_timeout", "server: main");
            proxy.access().await(" 502 ", "\"handshake_timeout\"");
            Wait.until(() -> stalling.ended() == 1, LIMIT, () -> "the stalled connection is still open");
            assertUndisturbed(bystander);
            assertCleanErrorLog(proxy);
        }
    }

    static Stream<Arguments> afterCloseNotify() {
        byte[] garbage = "garbage after close_notify\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] record = CloseNotifyThenGarbage.applicationRecord(1000, 5);
        return Stream.of(
                Arguments.of("TLSv1.3", "garbage", garbage, "off"),
                Arguments.of("TLSv1.3", "an application_data record", record, "off"),
                Arguments.of("TLSv1.3", "an application_data record", record, "on"),
                Arguments.of("TLSv1.2", "garbage", garbage, "off"),
                Arguments.of("TLSv1.2", "an application_data record", record, "on"));
    }

    /**
     * close_notify ends the upstream's stream (RFC 8446 §6.1: data after it is ignored, as OpenSSL's
     * SSL_read and so NGINX do): the client gets exactly the bytes before it and then an orderly
     * EOF, with or without proxy_half_close, and nothing hangs.
     */
    @ParameterizedTest(name = "{0}, {1}, proxy_half_close {3}")
    @MethodSource("afterCloseNotify")
    void bytesAfterCloseNotifyAreNeverDelivered(String protocol, String what, byte[] after, String halfClose)
            throws Exception {
        byte[] reply = new byte[40_000];
        new Random(3).nextBytes(reply);
        try (CloseNotifyThenGarbage hostile = new CloseNotifyThenGarbage(tls.server().serverContext(), protocol, reply, after);
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + hostile.port(),
                     "server.main.proxy_half_close = " + halfClose));
             Bystander bystander = bystander(proxy);
             Socket client = proxy.connect("main")) {
            InputStream in = client.getInputStream();
            assertArrayEquals(reply, Bytes.readExactly(in, reply.length));
            assertEquals(-1, in.read(), "an orderly EOF right after the bytes before close_notify");
            Wait.until(() -> hostile.sent() == 1, LIMIT, () -> "the upstream never sent its bytes after close_notify");
            client.close();
            proxy.access().await(" 200 " + reply.length + " 0 ");
            Wait.until(() -> hostile.ended() == 1, LIMIT, () -> "the upstream connection is still open");
            assertUndisturbed(bystander);
            assertCleanErrorLog(proxy);
        }
    }

    /**
     * An upstream that resets the connection in the middle of its reply: the client gets what came
     * before and then a reset, never an EOF it could take for the end of a whole reply; the log
     * says what happened.
     */
    @Test
    void anUpstreamResetMidTransferResetsTheClient() throws Exception {
        byte[] before = new byte[50_000];
        new Random(9).nextBytes(before);
        try (ResetMidTransfer hostile = new ResetMidTransfer(tls.server().serverContext(), before)) {
            SocketException reset = clientOfACutReply(hostile.port(), before, "reading from upstream ",
                    " failed: Connection reset");
            assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
            Wait.until(() -> hostile.resets() == 1, LIMIT, () -> "the upstream did not reset");
        }
    }

    /**
     * An upstream whose TCP connection ends (FIN) without close_notify in the middle of its reply:
     * a TLS peer cannot tell that from a cut (RFC 8446 §6.1), so the client gets what came and then
     * a reset, never an orderly EOF, and the log says so (QA: it was passed on as a whole stream).
     */
    @Test
    void anUpstreamClosingWithoutCloseNotifyResetsTheClient() throws Exception {
        byte[] before = new byte[50_000];
        new Random(10).nextBytes(before);
        try (ResetMidTransfer hostile = ResetMidTransfer.finWithoutCloseNotify(tls.server().serverContext(), before)) {
            clientOfACutReply(hostile.port(), before, "[warn]", "reading from upstream ",
                    " failed: truncated: it closed the connection without close_notify");
        }
    }

    /**
     * A client of an upstream that cuts its reply after {@code before}: it gets {@code before}, answers,
     * and is then reset, never given an orderly end; the error log has {@code logged} with the byte
     * count, the access log the bytes, and a bystander session is undisturbed.
     *
     * @return what the client's read ended with
     */
    private SocketException clientOfACutReply(int upstreamPort, byte[] before, String... logged) throws Exception {
        try (TestProxy proxy = TestProxy.start(dir, config("localhost:" + upstreamPort, ""));
             Bystander bystander = bystander(proxy);
             Socket client = proxy.connect("main")) {
            InputStream in = client.getInputStream();
            assertArrayEquals(before, Bytes.readExactly(in, before.length));
            Bytes.write(client, "!");
            SocketException cut = assertThrows(SocketException.class, () -> Bytes.readToEof(in),
                    "a cut stream must not end like a whole one");
            List<String> fragments = new ArrayList<>(List.of(logged));
            fragments.addAll(List.of("after " + before.length + " bytes upstream>client", "server: main"));
            proxy.errors().await(fragments.toArray(String[]::new));
            proxy.access().await(" 200 " + before.length + " 1 ");
            assertUndisturbed(bystander);
            assertCleanErrorLog(proxy);
            return cut;
        }
    }

    /**
     * Sessions whose client leaves while their TLS upstream floods them end at once, and the others
     * go on: closing the TLS connection neither reads nor throws away what the upstream keeps
     * sending (QA: JSSE's close did, on a carrier, for as long as the upstream sent, and 40 such
     * sessions ending together stalled every other session for seconds).
     */
    @Test
    void sessionsLeftByTheirClientsWhileTheUpstreamFloodsEndAndDisturbNoOne() throws Exception {
        int sessions = 8;
        try (FloodingUpstream flooding = new FloodingUpstream(tls.server().serverContext());
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + flooding.port(), ""));
             Bystander bystander = bystander(proxy)) {
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                Socket client = proxy.connect("main");
                Bytes.readExactly(client.getInputStream(), 1); // the flood has reached the client
                clients.add(client);
            }
            for (Socket client : clients) {
                client.close(); // never read the rest
            }
            Wait.until(() -> proxy.access().matching(" 200 ").size() >= sessions, LIMIT,
                    () -> "sessions still open: " + proxy.proxy().openSessions() + "; " + proxy.access().lines());
            Wait.until(() -> flooding.ended() == sessions, LIMIT, () -> flooding.ended() + " of " + sessions
                    + " upstream connections let go");
            assertUndisturbed(bystander);
            assertCleanErrorLog(proxy);
        }
    }

    /** The leaf and its 40 intermediates below the trusted root, made once. */
    private static synchronized Issued leafBelowFortyIntermediates() {
        if (fortyDeep == null) {
            List<Ca> chain = tls.root().intermediates(40);
            fortyDeep = chain.get(chain.size() - 1).newServer("localhost").dns("localhost").ip("127.0.0.1").issue();
        }
        return fortyDeep;
    }

    /**
     * A chain of 41 certificates below the trusted root, with proxy_ssl_verify_depth high enough for
     * them: JSSE stops reading at its own limit (jdk.tls.client.maxInboundCertificateChainLength,
     * 10), which bounds what a server can make us hold. That is a depth verdict, and the log says
     * so and names the limit, where it once said only "handshake".
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void aChainOfDozensOfCertificatesIsRefusedAsTooDeep(String protocol) throws Exception {
        Issued leaf = leafBelowFortyIntermediates();
        Path chain = tls.pki().bundle("forty-intermediates.pem", Arrays.copyOfRange(leaf.chain(), 1, leaf.chain().length));
        try (OpensslServer hostile = OpensslServer.start(leaf.certPem(), leaf.keyPem(), null, protocol,
                     "-cert_chain", chain.toString());
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + hostile.port(), "proxy_ssl_verify_depth = 50"));
             Bystander bystander = bystander(proxy)) {
            try (Socket client = proxy.connect("main")) {
                assertEquals(0, Bytes.readToEof(client.getInputStream()).length);
            }
            proxy.errors().await("upstream 127.0.0.1:" + hostile.port() + " verification failed: depth: the upstream sent"
                    + " more certificates than the JDK takes (at most 10, jdk.tls.client.maxInboundCertificateChainLength)");
            proxy.access().await(" 502 ", "\"depth\"");
            assertUndisturbed(bystander);
            assertCleanErrorLog(proxy);
        }
    }

    static Stream<Arguments> hugeCertificates() {
        String subject = "/OU=" + "o".repeat(60) + ("/OU=" + "u".repeat(60)).repeat(999) + "/CN=localhost";
        return Stream.of(
                Arguments.of("a 60 KB extension", "-tls1_3", (UnaryOperator<CertSpec<Issued>>)
                        spec -> spec.extension("1.3.6.1.4.1.55555.1 = ASN1:UTF8String:" + "x".repeat(60_000))),
                Arguments.of("a 60 KB extension", "-tls1_2", (UnaryOperator<CertSpec<Issued>>)
                        spec -> spec.extension("1.3.6.1.4.1.55555.1 = ASN1:UTF8String:" + "x".repeat(60_000))),
                Arguments.of("a subject of 1,000 OUs", "-tls1_3", (UnaryOperator<CertSpec<Issued>>)
                        spec -> spec.subject(subject)));
    }

    /**
     * One certificate bigger than any handshake message JSSE takes in (jdk.tls.maxHandshakeMessageSize,
     * 32 KiB): refused as it arrives, before it is parsed, with the size and the limit in the log.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("hugeCertificates")
    void aHugeCertificateIsRefusedAtTheJdksSizeLimit(String what, String protocol, UnaryOperator<CertSpec<Issued>> huge)
            throws Exception {
        Issued leaf = huge.apply(tls.root().newServer("localhost").dns("localhost").ip("127.0.0.1")).issue();
        assertTrue(leaf.cert().getEncoded().length > 60_000, "the certificate is " + leaf.cert().getEncoded().length + " bytes");
        try (OpensslServer hostile = OpensslServer.start(leaf.certPem(), leaf.keyPem(), null, protocol);
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + hostile.port(), ""));
             Bystander bystander = bystander(proxy)) {
            try (Socket client = proxy.connect("main")) {
                assertEquals(0, Bytes.readToEof(client.getInputStream()).length);
            }
            proxy.errors().await("upstream 127.0.0.1:" + hostile.port() + " handshake failed: handshake: the upstream sent a"
                    + " handshake message of ", " bytes, more than the JDK takes (at most 32768, jdk.tls.maxHandshakeMessageSize)");
            proxy.access().await(" 502 ", "\"handshake\"");
            assertUndisturbed(bystander);
            assertCleanErrorLog(proxy);
        }
    }

    /**
     * A certificate whose CN carries a newline, a forged log line, an ANSI colour escape and a bell,
     * presented for the wrong name: the error log quotes the CN with those bytes as {@code \\xHH}
     * (SPEC §9), in one line, and the forged line never appears as a line of its own.
     */
    @Test
    void controlCharactersInACertificateNameCannotForgeALogLine() throws Exception {
        String forged = "2026/12/07 00:00:00 [error] #1 forged";
        String cn = "evil\n" + forged + "\u001b[31mred\u0007";
        Issued leaf = tls.root().newServer("localhost").cnOnly()
                .subject("/CN=" + cn.replace("/", "\\/")).issue();
        assertTrue(leaf.cert().getSubjectX500Principal().getName(X500Principal.RFC1779).contains(cn),
                "the CN carries the raw bytes: " + leaf.cert().getSubjectX500Principal());
        try (EchoServer hostile = tls.echo(leaf, false);
             TestProxy proxy = TestProxy.start(dir, config("localhost:" + hostile.port(), ""));
             Bystander bystander = bystander(proxy)) {
            try (Socket client = proxy.connect("main")) {
                assertEquals(0, Bytes.readToEof(client.getInputStream()).length);
            }
            String line = proxy.errors().await("upstream 127.0.0.1:" + hostile.port() + " verification failed: name: localhost not in");
            assertTrue(line.contains("CN:evil\\x0A2026/12/07 00:00:00 [error] #1 forged\\x1B[31mred\\x07"), line);
            proxy.access().await(" 502 ", "\"name\"");
            assertUndisturbed(bystander);
            assertCleanErrorLog(proxy);
            for (String l : proxy.errors().lines()) {
                assertTrue(!l.startsWith(forged) && l.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "unescaped: " + l);
            }
        }
    }
}

package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import loomproxy.config.ConfigLoader;
import loomproxy.config.ServerConfig;
import loomproxy.observe.AccessLog;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.RecordingLog;
import loomproxy.testkit.Wait;
import loomproxy.upstream.UpstreamGroup;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The accept loop never dies while its socket is open (SPEC §9): whatever accept() throws — an
 * IOException, or a RuntimeException or Error from deep in the JDK — it logs one line, pauses and
 * accepts again.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ListenerTest {
    @TempDir
    Path dir;

    /** A listening socket whose first accept() throws {@code failure}; later ones accept. */
    private static final class FailingOnce extends ServerSocket {
        private final AtomicReference<Throwable> failure;

        FailingOnce(Throwable failure) throws IOException {
            super(0, 50, InetAddress.getLoopbackAddress());
            this.failure = new AtomicReference<>(failure);
        }

        @Override
        public Socket accept() throws IOException {
            Throwable first = failure.getAndSet(null);
            if (first instanceof RuntimeException e) {
                throw e;
            }
            if (first instanceof Error e) {
                throw e;
            }
            return super.accept();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"runtime", "error"})
    void theLoopSurvivesAnythingAcceptThrowsAndServesTheNextConnection(String kind) throws Exception {
        Throwable failure = kind.equals("runtime") ? new IllegalStateException("accept went wrong")
                : new OutOfMemoryError("Java heap space");
        RecordingLog errors = new RecordingLog();
        RecordingLog access = new RecordingLog();
        Sessions sessions = new Sessions(AccessLog.compile("$status", access::add), errors.errorLog());
        try (EchoServer echo = EchoServer.plain();
             FailingOnce server = new FailingOnce(failure);
             Deadlines deadlines = new Deadlines()) {
            Listener listener = new Listener(server, block(echo, errors), sessions, deadlines, errors.errorLog(), false);
            Thread loop = Thread.ofPlatform().name("listen test").start(listener);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                client.setSoTimeout(20_000);
                Bytes.write(client, "after the failure");
                assertEquals("after the failure", Bytes.readString(client, 17));
            }
            Wait.until(() -> access.lines().size() == 1, Duration.ofSeconds(20), () -> "the session did not end");
            server.close();
            assertTrue(loop.join(Duration.ofSeconds(20)), "the loop ends when its socket closes");

            List<String> lines = errors.lines();
            assertEquals(1, lines.size(), "one line, no stack trace:\n" + String.join("\n", lines));
            String line = lines.get(0);
            assertTrue(line.contains("[error] accept() on 127.0.0.1:" + server.getLocalPort() + " failed: " + failure
                    + "; pausing up to 1000ms"), line);
            assertTrue(!line.contains("\n") && !line.contains("\tat "), "no stack trace: " + line);
        }
    }

    private Block block(EchoServer echo, RecordingLog errors) throws Exception {
        Path file = Files.writeString(dir.resolve("loomproxy.properties"), """
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = %s
                """.formatted(echo.address()));
        ServerConfig config = ConfigLoader.load(file).servers().get(0);
        return new Block(config, new UpstreamGroup(config.upstream(), InstantSource.system()),
                Optional.empty());
    }
}

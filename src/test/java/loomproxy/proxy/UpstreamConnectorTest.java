package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import loomproxy.observe.AccessLog;
import loomproxy.observe.SessionFacts;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.RecordingLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bug of ours between choosing an upstream server and releasing it must not keep the server's
 * {@code max_conns} slot: with {@code max_conns=1} one such session would shut the server off for
 * good (SPEC §9: counters never leak). The bug here is a server whose port is out of range, which
 * no configuration can produce: {@code new InetSocketAddress} throws IllegalArgumentException after
 * the pick, where an I/O failure would have been handled.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UpstreamConnectorTest {
    @TempDir
    Path dir;

    @Test
    void anExceptionAfterThePickReleasesTheServer() throws Exception {
        RecordingLog errors = new RecordingLog();
        Block block = BrokenBlock.in(dir, "", 1); // max_conns=1
        List<Socket> opened = new ArrayList<>();
        try (Deadlines deadlines = new Deadlines()) {
            UpstreamConnector connector = new UpstreamConnector(block, sessionLog(errors), deadlines, null,
                    opened::add, () -> false);
            SessionFacts facts = new SessionFacts(1, null, null);
            assertThrows(IllegalArgumentException.class, () -> connector.connect(facts, null));
            assertEquals(List.of(0), List.copyOf(block.group().conns().values()), "max_conns slot after the exception");
        } finally {
            opened.forEach(Sockets::closeQuietly); // the caller owns what it was told of
        }
    }

    /** Through a whole session: status 500, the error logged in one line, the client closed, the slot free. */
    @Test
    void theSessionEndsWith500AndTheServerIsFreeAgain() throws Exception {
        RecordingLog errors = new RecordingLog();
        RecordingLog access = new RecordingLog();
        Block block = BrokenBlock.in(dir, "", 1); // max_conns=1
        Sessions sessions = new Sessions(AccessLog.compile("$status", access::add), errors.errorLog());
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket accepted = listener.accept();
             Deadlines deadlines = new Deadlines()) {
            client.setSoTimeout(20_000);
            SessionFacts facts = new SessionFacts(1, (InetSocketAddress) accepted.getRemoteSocketAddress(),
                    (InetSocketAddress) accepted.getLocalSocketAddress());
            Session session = new Session(block, accepted, null, facts, sessionLog(errors), sessions, deadlines);
            sessions.started(session);
            Thread thread = Thread.ofVirtual().name("session #1").start(session);
            assertTrue(thread.join(Duration.ofSeconds(20)), "the session ended");

            assertEquals(List.of("500"), access.lines());
            assertEquals(0, sessions.count());
            assertEquals(List.of(0), List.copyOf(block.group().conns().values()), "max_conns slot after the session");
            errors.await("#1 internal error: java.lang.IllegalArgumentException: port out of range:65536");
            assertEquals(0, Bytes.readToEof(client.getInputStream()).length, "the client is closed");
        }
    }

    private static SessionLog sessionLog(RecordingLog errors) {
        return new SessionLog(errors.errorLog(), 1, "127.0.0.1:1", "main");
    }
}

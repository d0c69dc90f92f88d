package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.ProxyProcess;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running out of file descriptors (SPEC §9): a proxy whose process may open only a few dozen files
 * gets far more clients than it can hold. An accepted client must be one that can be served: none
 * may be closed for want of an upstream socket (NGINX closes none either); the rest wait in the
 * listen backlog while the accept loop pauses — logging at most once a second, never spinning — and
 * are served as descriptors come free.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DescriptorExhaustionTest {
    /** A JVM running loomproxy from its jar holds about 15 descriptors; this leaves room for ~10 sessions. */
    private static final int OPEN_FILES = 40;
    private static final int CLIENTS = 60;
    private static final Pattern MORE = Pattern.compile("\\((\\d+) more since the last report\\)");

    @TempDir
    Path dir;

    @Test
    void clientsBeyondTheDescriptorLimitWaitAndAreAllServed() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             ProxyProcess proxy = ProxyProcess.start(dir, """
                     server.main.listen = 127.0.0.1:%%PORT%%
                     server.main.proxy_pass = %s
                     error_log = %%DIR%%/error.log info
                     access_log = off
                     """.formatted(echo.address()), OPEN_FILES)) {
            long started = System.nanoTime();
            Map<Integer, String> outcome = new ConcurrentHashMap<>();
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Socket client = proxy.connect(); // completes in the kernel's backlog even when not accepted
                clients.add(client);
                int id = i;
                Thread.ofVirtual().start(() -> outcome.put(id, echoOnce(client, "ping " + id + "\n")));
            }
            Wait.until(() -> proxy.output().contains("Too many open files"), Duration.ofSeconds(30),
                    () -> "descriptors never ran out, the test proves nothing: " + proxy.output());
            // Each echoed client leaves, freeing its two descriptors for a waiting one.
            Wait.until(() -> {
                outcome.forEach((id, result) -> closeQuietly(clients.get(id)));
                return outcome.size() == CLIENTS;
            }, Duration.ofSeconds(90), () -> outcome.size() + " of " + CLIENTS + " answered: " + outcome + "\n" + proxy.output());
            long failed = outcome.values().stream().filter(r -> !r.equals("echoed")).count();
            assertEquals(0, failed, "clients accepted and then dropped: " + outcome + "\n" + proxy.output());

            try (Socket after = proxy.connect()) {
                assertEquals("echoed", echoOnce(after, "after\n"), "serves normally once descriptors are back");
            }
            String log = proxy.output();
            assertTrue(!log.contains("connect failed") && !log.contains("\tat "), "no 502, no stack trace: " + log);
            long seconds = Math.max(1, (System.nanoTime() - started) / 1_000_000_000L);
            List<String> reports = log.lines()
                    .filter(l -> l.contains("[error] accept() on") || l.contains("[error] not accepting on")).toList();
            assertTrue(reports.size() <= seconds + 1, reports.size() + " reports in " + seconds + " s: " + log);
            long attempts = reports.size() + reports.stream().mapToLong(DescriptorExhaustionTest::more).sum();
            // A pause doubling from 10 ms to 1 s, restarting after each accept: at most ~7 tries per
            // accept to climb back, then one a second. A spinning loop would fail thousands of times.
            assertTrue(attempts <= 8L * (CLIENTS + 2) + seconds, attempts + " failed accepts in " + seconds
                    + " s: the loop must not spin\n" + log);
        }
    }

    /**
     * Too few descriptors to start at all: whatever the limit, the outcome is a running proxy or one
     * line and exit 3 — never a stack trace, never a proxy that starts but cannot serve because the
     * JDK's I/O poller could not be created (SPEC §9, the defect 10).
     */
    @Test
    void tooFewDescriptorsToStartIsOneLineAndExit3() throws Exception {
        boolean pollerRefused = false;
        for (int limit = 9; limit <= 14; limit++) {
            Path run = Files.createDirectories(dir.resolve("limit-" + limit));
            String config = "server.main.listen = 127.0.0.1:%PORT%\nserver.main.proxy_pass = 127.0.0.1:9\n";
            try (ProxyProcess proxy = ProxyProcess.launch(run, config, limit)) {
                if (proxy.awaitListeningOrExit()) {
                    continue;
                }
                String output = proxy.output();
                if (output.startsWith("Error occurred during initialization of VM")) {
                    continue; // the JVM itself could not start: not ours to report
                }
                assertEquals(3, proxy.process().exitValue(), output);
                assertEquals(1, output.lines().count(), "one line: " + output);
                assertTrue(output.startsWith("loomproxy: "), output);
                pollerRefused |= output.contains("cannot start the JDK's I/O poller");
            }
        }
        assertTrue(pollerRefused, "no limit between 9 and 14 stopped the start at the I/O poller");
    }

    private static long more(String report) {
        Matcher m = MORE.matcher(report);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** "echoed", or how the proxy ended the session instead. */
    private static String echoOnce(Socket client, String line) {
        try {
            client.setSoTimeout(100_000);
            client.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
            return Bytes.readString(client, line.length()).equals(line) ? "echoed" : "garbled";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the test is done with it either way
        }
    }
}

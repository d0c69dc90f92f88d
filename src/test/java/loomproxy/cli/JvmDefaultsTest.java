package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.ProxyProcess;
import loomproxy.testkit.ResetMidTransfer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bare {@code java -jar} gets the JVM settings {@link JvmDefaults} can set from inside, seen from
 * outside: the JDK names its poller threads by mode (mode 1: platform Read-Poller threads; mode 2:
 * one MasterPoller thread under virtual sub-pollers), and a proxied session works either way.
 */
class JvmDefaultsTest {
    @TempDir
    Path dir;

    @Test
    void aBareJavaJarPollsWithPlatformThreads() throws Exception {
        Set<String> threads = threadsOfAProxyStartedWith(List.of());
        assertTrue(threads.contains("Read-Poller"), threads.toString());
        assertFalse(threads.contains("MasterPoller"), threads.toString());
    }

    @Test
    void thePollerModeGivenOnTheCommandLineWins() throws Exception {
        Set<String> threads = threadsOfAProxyStartedWith(List.of("-Djdk.pollerMode=2"));
        assertTrue(threads.contains("MasterPoller"), threads.toString());
        assertFalse(threads.contains("Read-Poller"), threads.toString());
    }

    /**
     * A bare {@code java -jar} gets com.sun.net.ssl.requireCloseNotify too: a TLS upstream whose TCP
     * connection ends without close_notify mid-reply is a cut stream, and the client gets a reset,
     * never an orderly end (the in-process tests get the property from the build instead).
     */
    @Test
    void aBareJavaJarResetsTheClientWhenTheUpstreamEndsWithoutCloseNotify() throws Exception {
        MutualTls tls = MutualTls.in(Files.createDirectories(dir.resolve("pki")), "Truncate", 0);
        byte[] before = new byte[20_000];
        new java.util.Random(11).nextBytes(before);
        try (ResetMidTransfer upstream = ResetMidTransfer.finWithoutCloseNotify(tls.server().serverContext(), before);
             ProxyProcess proxy = ProxyProcess.start(dir, tls.proxyConfig("localhost:" + upstream.port(), "")
                     .replace("127.0.0.1:0", "127.0.0.1:%PORT%"));
             Socket client = proxy.connect()) {
            client.setSoTimeout(20_000);
            InputStream in = client.getInputStream();
            assertArrayEquals(before, Bytes.readExactly(in, before.length));
            Bytes.write(client, "!");
            assertThrows(SocketException.class, () -> Bytes.readToEof(in), "a cut stream must not end like a whole one");
        }
    }

    private Set<String> threadsOfAProxyStartedWith(List<String> jvmOptions) throws Exception {
        try (EchoServer echo = EchoServer.plain();
             ProxyProcess proxy = ProxyProcess.start(dir, """
                     server.main.listen = 127.0.0.1:%%PORT%%
                     server.main.proxy_pass = %s
                     """.formatted(echo.address()), 0, jvmOptions);
             var session = proxy.connect()) {
            Bytes.write(session, "ping");
            assertEquals("ping", Bytes.readString(session, 4));
            return threadNames(proxy.process().pid());
        }
    }

    /** The names of a process's threads, as the kernel has them (/proc/PID/task/TID/comm). */
    private static Set<String> threadNames(long pid) throws IOException {
        Set<String> names = new TreeSet<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    names.add(Files.readString(task.resolve("comm")).strip());
                } catch (IOException gone) {
                    // the thread ended while we listed
                }
            }
        }
        return names;
    }
}

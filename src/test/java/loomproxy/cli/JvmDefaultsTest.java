package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.ProxyProcess;
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

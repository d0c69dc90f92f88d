package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process and a real SIGTERM (SPEC §7): the listener closes at once, the open session
 * carries on until it ends by itself, and the process then exits 0.
 */
class SignalTest {
    @TempDir
    Path dir;

    @Test
    void sigtermStopsAcceptingDrainsOpenSessionsAndExits0() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (EchoServer echo = EchoServer.plain()) {
            Path config = dir.resolve("loomproxy.properties");
            Files.writeString(config, """
                    server.main.listen = 127.0.0.1:%d
                    server.main.proxy_pass = %s
                    shutdown_timeout = 60s
                    error_log = %s info
                    """.formatted(port, echo.address(), dir.resolve("error.log")));
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    "loomproxy.cli.Main", config.toString())).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("out.log").toFile()).start();
            try {
                Wait.until(() -> read(dir.resolve("error.log")).contains("listening"), Duration.ofSeconds(30),
                        () -> "did not start: " + read(dir.resolve("out.log")) + read(dir.resolve("error.log")));
                try (Socket session = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    session.setSoTimeout(20_000);
                    Bytes.write(session, "before");
                    assertEquals("before", Bytes.readString(session, 6));
                    process.destroy(); // SIGTERM
                    Wait.until(() -> refuses(port), Duration.ofSeconds(20), () -> "still accepting after SIGTERM");
                    Bytes.write(session, "during drain");
                    assertEquals("during drain", Bytes.readString(session, 12));
                    assertTrue(process.isAlive(), "must wait for the open session");
                }
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "exits once the session ended");
                assertEquals(0, process.exitValue(), read(dir.resolve("out.log")));
                assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
            } finally {
                process.destroyForcibly();
            }
        }
    }

    private static boolean refuses(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}

package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import loomproxy.testkit.AdminClient;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Flood;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.ProxyProcess;
import loomproxy.testkit.StalledUpstream;
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
                String log = read(dir.resolve("error.log"));
                assertTrue(log.matches("(?s).*\\[notice\\] SIGTERM or SIGINT received: closing the listeners; \\d+ open"
                        + " sessions drain for up to shutdown_timeout 60000ms.*"), log);
                assertTrue(log.strip().endsWith("[notice] exiting"), log);
            } finally {
                process.destroyForcibly();
            }
        }
    }

    /**
     * SIGTERM with shutdown_timeout 10s: a session that goes on for seconds into the drain is
     * untouched — every echo intact, an orderly EOF when the client ends it — and only then does
     * the process exit 0.
     */
    @Test
    void drainLastsAsLongAsTheSessionWithinShutdownTimeout() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             ProxyProcess proxy = ProxyProcess.start(dir, """
                     server.main.listen = 127.0.0.1:%%PORT%%
                     server.main.proxy_pass = %s
                     shutdown_timeout = 10s
                     error_log = %%DIR%%/error.log info
                     """.formatted(echo.address()));
             Socket session = proxy.connect()) {
            Bytes.write(session, "start");
            assertEquals("start", Bytes.readString(session, 5));
            proxy.signal("TERM");
            Wait.until(proxy::refuses, Duration.ofSeconds(20), () -> "still accepting after SIGTERM");
            long drainStarted = System.nanoTime();
            int rounds = 0;
            // Keep the session busy for 3 s of the drain: long past any short internal wait.
            while (System.nanoTime() - drainStarted < Duration.ofSeconds(3).toNanos()) {
                String message = "round " + (rounds++ % 10);
                Bytes.write(session, message);
                assertEquals(message, Bytes.readString(session, message.length()), "during the drain");
            }
            assertTrue(proxy.process().isAlive(), "must wait for the open session");
            session.shutdownOutput();
            assertEquals(0, Bytes.readToEof(session.getInputStream()).length, "an orderly end, not a reset");
            assertEquals(0, proxy.awaitExit(Duration.ofSeconds(20)), proxy.output());
            assertFalse(proxy.output().contains("closing 1 open sessions"), proxy.output());
        }
    }

    /**
     * SIGHUP (systemctl reload) and SIGUSR1 (logrotate) must not kill the process or disturb a
     * session.
     */
    @Test
    void sighupAndSigusr1NeitherKillNorDisturb() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             ProxyProcess proxy = ProxyProcess.start(dir, """
                     server.main.listen = 127.0.0.1:%%PORT%%
                     server.main.proxy_pass = %s
                     error_log = %%DIR%%/error.log info
                     """.formatted(echo.address()));
             Socket session = proxy.connect()) {
            Bytes.write(session, "before");
            assertEquals("before", Bytes.readString(session, 6));
            proxy.signal("HUP");
            proxy.signal("USR1");
            Wait.until(() -> proxy.output().contains("SIGUSR1 received"), Duration.ofSeconds(20), proxy::output);
            assertTrue(proxy.output().contains("[notice] signal SIGHUP received"), proxy.output());
            Bytes.write(session, "after");
            assertEquals("after", Bytes.readString(session, 5));
            try (Socket another = proxy.connect()) {
                Bytes.write(another, "new");
                assertEquals("new", Bytes.readString(another, 3));
            }
            assertTrue(proxy.process().isAlive());
        }
    }

    /**
     * logrotate's way (SPEC §7): the log files are renamed, SIGUSR1 makes the proxy open new ones at
     * the old paths, and later lines go there — while a session that was open throughout goes on
     * undisturbed and its access line, written when it ends, lands in the new file too. A SIGHUP
     * first, so the files reopened are those the reload opened, not the start's.
     */
    @Test
    void sigusr1ReopensTheLogFilesAtTheirPaths() throws Exception {
        Path errorLog = dir.resolve("error.log");
        Path accessLog = dir.resolve("access.log");
        try (EchoServer echo = EchoServer.plain();
             ProxyProcess proxy = ProxyProcess.start(dir, """
                     server.main.listen = 127.0.0.1:%%PORT%%
                     server.main.proxy_pass = %s
                     error_log = %%DIR%%/error.log info
                     access_log = %%DIR%%/access.log
                     """.formatted(echo.address()));
             Socket session = proxy.connect()) {
            Bytes.write(session, "before");
            assertEquals("before", Bytes.readString(session, 6));
            echoOnce(proxy, "first");
            Wait.until(() -> lines(accessLog) == 1, Duration.ofSeconds(20), () -> "access log: " + read(accessLog));
            proxy.signal("HUP");
            Wait.until(() -> read(errorLog).contains("[notice] reloaded "), Duration.ofSeconds(20), proxy::output);
            Files.move(errorLog, dir.resolve("error.log.1"));
            Files.move(accessLog, dir.resolve("access.log.1"));

            proxy.signal("USR1");
            Wait.until(() -> read(errorLog).contains("[notice] signal SIGUSR1 received; log files reopened"),
                    Duration.ofSeconds(20), () -> "no new error.log: " + proxy.output() + read(dir.resolve("error.log.1")));
            Bytes.write(session, "after");
            assertEquals("after", Bytes.readString(session, 5), "the open session is undisturbed");
            echoOnce(proxy, "second");
            Wait.until(() -> lines(accessLog) == 1, Duration.ofSeconds(20), () -> "new access log: " + read(accessLog));
            session.close();
            Wait.until(() -> lines(accessLog) == 2, Duration.ofSeconds(20), () -> "new access log: " + read(accessLog));
            assertEquals(1, lines(dir.resolve("access.log.1")), read(dir.resolve("access.log.1")));
            assertFalse(read(dir.resolve("error.log.1")).contains("reopened"), read(dir.resolve("error.log.1")));
            assertTrue(proxy.process().isAlive());
        }
    }

    private static void echoOnce(ProxyProcess proxy, String text) throws IOException {
        try (Socket s = proxy.connect()) {
            Bytes.write(s, text);
            assertEquals(text, Bytes.readString(s, text.length()));
        }
    }

    private static long lines(Path file) {
        return read(file).lines().count();
    }

    /**
     * The stalled-upstream freeze as a user meets it: a TLS upstream that handshakes and stops
     * reading while its client keeps sending. SIGTERM with shutdown_timeout 2s must exit within
     * that plus a margin, resetting the stuck session.
     */
    @Test
    void sigtermExitsOnTimeWithASessionStuckOnAStalledUpstream() throws Exception {
        MutualTls tls = MutualTls.in(Files.createDirectories(dir.resolve("pki")), "Signal", 0);
        try (StalledUpstream stalled = new StalledUpstream(tls.server().serverContext());
             ProxyProcess proxy = ProxyProcess.start(dir, tls.proxyConfig("localhost:" + stalled.port(), """
                     shutdown_timeout = 2s
                     error_log = %DIR%/error.log info
                     """).replace("127.0.0.1:0", "127.0.0.1:%PORT%"));
             Socket client = proxy.connect()) {
            Flood flood = new Flood(client);
            flood.awaitBlocked(Duration.ofMillis(500), Duration.ofSeconds(30));
            long started = System.nanoTime();
            proxy.signal("TERM");
            assertEquals(0, proxy.awaitExit(Duration.ofSeconds(2 + 8)), proxy.output());
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(proxy.output().contains("closing 1 open sessions after shutdown_timeout 2000ms"), proxy.output());
            assertNotNull(flood.awaitEnd(Duration.ofSeconds(20)), "the stuck session's client is reset");
            assertTrue(tookMillis >= 1_900, "drained for shutdown_timeout first, took " + tookMillis + "ms");
        }
    }

    /**
     * SIGHUP reloads the file (SPEC §7): a new server block starts listening while the open session
     * goes on; then a file with a mistake is refused with FILE:LINE and the running configuration
     * stays.
     */
    @Test
    void sighupReloadsAndAWrongFileChangesNothing() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int otherPort = probe.getLocalPort();
            probe.close();
            String base = """
                    server.main.listen = 127.0.0.1:%%PORT%%
                    server.main.proxy_pass = %s
                    error_log = %%DIR%%/error.log info
                    admin_listen = 127.0.0.1:0
                    """.formatted(echo.address());
            try (ProxyProcess proxy = ProxyProcess.start(dir, base);
                 Socket session = proxy.connect()) {
                Bytes.write(session, "before");
                assertEquals("before", Bytes.readString(session, 6));
                Path file = dir.resolve("loomproxy.properties");
                String running = Files.readString(file);
                Files.writeString(file, running + "server.other.listen = 127.0.0.1:" + otherPort + "\n"
                        + "server.other.proxy_pass = " + echo.address() + "\n");
                proxy.signal("HUP");
                Wait.until(() -> proxy.output().contains("[notice] reloaded " + file), Duration.ofSeconds(20), proxy::output);
                try (Socket other = new Socket(InetAddress.getLoopbackAddress(), otherPort)) {
                    Bytes.write(other, "added");
                    assertEquals("added", Bytes.readString(other, 5));
                }
                Files.writeString(file, running + "proxy_timeout = soon\n");
                proxy.signal("HUP");
                Wait.until(() -> proxy.output().contains("the previous configuration keeps running"),
                        Duration.ofSeconds(20), proxy::output);
                assertTrue(proxy.output().contains("[emerg] " + file + ":5: proxy_timeout: invalid time \"soon\""),
                        proxy.output());
                try (Socket other = new Socket(InetAddress.getLoopbackAddress(), otherPort)) {
                    Bytes.write(other, "kept");
                    assertEquals("kept", Bytes.readString(other, 4), "the failed reload changed nothing");
                }
                Bytes.write(session, "after");
                assertEquals("after", Bytes.readString(session, 5), "the first session never noticed");
                java.util.regex.Matcher admin = java.util.regex.Pattern.compile("admin endpoint listening on http://127.0.0.1:(\\d+)/")
                        .matcher(proxy.output());
                assertTrue(admin.find(), proxy.output());
                String metrics = AdminClient.get(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(),
                        Integer.parseInt(admin.group(1))), "/metrics").body();
                assertTrue(metrics.contains("loomproxy_config_reloads_total{result=\"ok\"} 1"), metrics);
                assertTrue(metrics.contains("loomproxy_config_reloads_total{result=\"failed\"} 1"), metrics);
                assertTrue(metrics.contains("loomproxy_config_last_reload_successful 0"), metrics);
            }
        }
    }

    /**
     * nohup starts a process with SIGHUP ignored and the JVM keeps it ignored, so a reload would
     * silently never happen: the start says so in the error log, and only then.
     */
    @Test
    void startedUnderNohupTheErrorLogSaysSighupWillNotReload() throws Exception {
        try (EchoServer echo = EchoServer.plain()) {
            Path config = dir.resolve("loomproxy.properties");
            Files.writeString(config, """
                    server.main.listen = 127.0.0.1:0
                    server.main.proxy_pass = %s
                    error_log = %s info
                    """.formatted(echo.address(), dir.resolve("error.log")));
            String java = ProcessHandle.current().info().command().orElseThrow();
            // A runner that itself ignores SIGHUP passes that on to every child: then only nohup's case tells.
            boolean[] cases = hangupIgnoredHere() ? new boolean[] {true} : new boolean[] {true, false};
            for (boolean nohup : cases) {
                Files.deleteIfExists(dir.resolve("error.log"));
                List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                        "loomproxy.cli.Main", config.toString()));
                if (nohup) {
                    command.add(0, "nohup");
                }
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("out.log").toFile()).start();
                try {
                    Wait.until(() -> read(dir.resolve("error.log")).contains("listening"), Duration.ofSeconds(30),
                            () -> "did not start: " + read(dir.resolve("out.log")) + read(dir.resolve("error.log")));
                    String log = read(dir.resolve("error.log"));
                    assertEquals(nohup, log.contains("[warn] SIGHUP is ignored in this process (started under nohup?)"), log);
                    process.destroy();
                    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "SIGTERM still stops it");
                } finally {
                    process.destroyForcibly();
                }
            }
        }
    }

    /** Whether this JVM was started with SIGHUP ignored (bit 0 of SigIgn in /proc/self/status). */
    private static boolean hangupIgnoredHere() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring(7).trim(), 16) & 1) != 0;
            }
        }
        return false;
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

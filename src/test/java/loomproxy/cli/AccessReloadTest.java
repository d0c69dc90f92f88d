package loomproxy.cli;

import static loomproxy.testkit.Loopback.Outcome.REFUSED;
import static loomproxy.testkit.Loopback.Outcome.THROUGH;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Loopback;
import loomproxy.testkit.ProxyProcess;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process and a real SIGHUP (SPEC §7, §9): changed allow/deny and limit_conn apply to the
 * connections accepted after the reload, the session open across it goes on, and it still counts
 * against the new limit (the counters carry over) until its access log line is written.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AccessReloadTest {
    @TempDir
    Path dir;

    private static String config(EchoServer echo, String rules) {
        return """
                server.main.listen = 127.0.0.1:%%PORT%%
                server.main.proxy_pass = %s
                error_log = %%DIR%%/error.log info
                log_format.t = $remote_addr $status
                access_log = %%DIR%%/access.log t
                %s
                """.formatted(echo.address(), rules);
    }

    @Test
    void sighupAppliesNewRulesAndLimitsToNewConnections() throws Exception {
        try (EchoServer echo = EchoServer.plain();
             ProxyProcess proxy = ProxyProcess.start(dir, config(echo, """
                     server.main.limit_conn = 2
                     server.main.deny = 127.0.0.2
                     """))) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", proxy.port());
            try (Socket held = Loopback.connect("127.0.0.1", to)) {
                assertEquals(THROUGH, Loopback.echoOrRefused(held));
                assertEquals(REFUSED, attempt(proxy, to, "127.0.0.2", 1), "deny 127.0.0.2 before the reload");

                Path file = dir.resolve("loomproxy.properties");
                Files.writeString(file, config(echo, """
                        server.main.limit_conn = 1
                        server.main.allow = 127.0.0.2
                        server.main.deny = all
                        """).replace("%PORT%", Integer.toString(proxy.port())).replace("%DIR%", dir.toString()));
                proxy.signal("HUP");
                Wait.until(() -> proxy.output().contains("[notice] reloaded " + file), Duration.ofSeconds(20), proxy::output);

                assertEquals(REFUSED, attempt(proxy, to, "127.0.0.2", 2), "the session from before the reload fills limit_conn 1");
                assertEquals(THROUGH, Loopback.echoOrRefused(held), "the open session goes on");
            }
            awaitLines(proxy, 3);
            assertEquals(THROUGH, attempt(proxy, to, "127.0.0.2", 4), "now allowed, and the slot is free");
            assertEquals(REFUSED, attempt(proxy, to, "127.0.0.1", 5), "deny all");
            assertEquals(List.of("127.0.0.2 403", "127.0.0.2 503", "127.0.0.1 200", "127.0.0.2 200", "127.0.0.1 403"),
                    proxy.lines("access.log"));
            assertEquals(2, echo.accepted(), "no upstream connection for a refused client");
            String output = proxy.output();
            assertEquals(1, count(output, "[error] #2 access forbidden by rule, client: 127.0.0.2:"), output);
            assertEquals(1, count(output, "[error] #3 limiting connections by limit_conn 1, client: 127.0.0.2:"), output);
            assertEquals(1, count(output, "[error] #5 access forbidden by rule, client: 127.0.0.1:"), output);
        }
    }

    /** One client's try and its session's end (its access log line, {@code line} in all). */
    private static Loopback.Outcome attempt(ProxyProcess proxy, InetSocketAddress to, String from, int line) throws IOException {
        Loopback.Outcome outcome = Loopback.tryFrom(from, to);
        awaitLines(proxy, line);
        return outcome;
    }

    private static void awaitLines(ProxyProcess proxy, int count) {
        Wait.until(() -> proxy.lines("access.log").size() >= count, Duration.ofSeconds(20), () -> "access log: " + proxy.lines("access.log"));
    }


    private static int count(String text, String part) {
        return (int) text.lines().filter(l -> l.contains(part)).count();
    }
}

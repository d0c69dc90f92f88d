package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Ports;
import loomproxy.testkit.ProxyProcess;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health checks in a freshly started process, as users start it ({@code java -jar}): the server
 * that refuses is found by the probes before any client is sent to it, logged once, and every
 * session goes to the healthy one; probes never reach the access log.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HealthCheckProcessTest {
    @TempDir
    Path dir;

    @Test
    void aFreshProcessFindsTheRefusingServerBeforeAnyClient() throws Exception {
        int refused = Ports.closed();
        try (EchoServer echo = EchoServer.plain();
             ProxyProcess proxy = ProxyProcess.start(dir, """
                     upstream.pool = 127.0.0.1:%d, %s
                     server.main.listen = 127.0.0.1:%%PORT%%
                     server.main.proxy_pass = pool
                     server.main.health_check = interval=200ms
                     log_format.t = $status "$upstream_addr"
                     access_log = %%DIR%%/access.log t
                     """.formatted(refused, echo.address()))) {
            String unhealthy = "upstream 127.0.0.1:" + refused + " is unhealthy: connect failed: connect_refused";
            Wait.until(() -> proxy.output().contains(unhealthy), Duration.ofSeconds(30), proxy::output);
            for (int i = 0; i < 4; i++) {
                try (Socket client = proxy.connect()) {
                    Bytes.write(client, "ping" + i);
                    assertEquals("ping" + i, Bytes.readString(client, 5));
                }
            }
            Wait.until(() -> proxy.lines("access.log").size() >= 4, Duration.ofSeconds(20), () -> "access log: " + proxy.lines("access.log"));
            assertEquals(Collections.nCopies(4, "200 \"" + echo.address() + "\""), proxy.lines("access.log"),
                    "every session on the healthy server, and no probe in the access log");
            assertEquals(1, proxy.output().lines().filter(l -> l.contains(unhealthy)).count(), "logged once: " + proxy.output());
        }
    }

}

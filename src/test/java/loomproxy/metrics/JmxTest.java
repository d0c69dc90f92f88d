package loomproxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.Ports;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same figures over JMX (SPEC §10), read as jconsole would, from the platform MBeanServer. */
class JmxTest {
    @TempDir
    Path dir;
    @TempDir
    Path otherDir;

    private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();

    @Test
    void serverAndPeerBeansFollowTheSessions() throws Exception {
        int closed = Ports.closed();
        try (EchoServer echo = EchoServer.plain()) {
            String config = """
                    upstream.backend = %s, 127.0.0.1:%d fail_timeout=10m
                    server.main.listen = 127.0.0.1:0
                    server.main.proxy_pass = backend
                    """.formatted(echo.address(), closed);
            List<ObjectName> names;
            try (TestProxy proxy = TestProxy.start(dir, config)) {
                try (Socket c = proxy.connect("main")) {
                    Bytes.write(c, "jmx");
                    assertEquals("jmx", Bytes.readString(c, 3));
                }
                try (Socket c = proxy.connect("main")) { // the refused server first, then the echo
                    Bytes.write(c, "again");
                    assertEquals("again", Bytes.readString(c, 5));
                }
                Wait.until(() -> proxy.proxy().openSessions() == 0, Duration.ofSeconds(20), () -> "sessions still open");
                names = proxy.proxy().metrics().startJmx();
                ObjectName server = named(names, "Server", "main");
                assertEquals("main", jmx.getAttribute(server, "Name"));
                assertEquals(List.of("127.0.0.1:" + proxy.port("main")), List.of((String[]) jmx.getAttribute(server, "Listeners")));
                assertEquals(2L, jmx.getAttribute(server, "ConnectionsAccepted"));
                assertEquals(0L, jmx.getAttribute(server, "SessionsActive"));
                assertEquals(Map.of("200", 2L, "403", 0L, "500", 0L, "502", 0L, "503", 0L),
                        map(jmx.getAttribute(server, "SessionsByStatus")));
                assertEquals(8L, jmx.getAttribute(server, "ClientBytesReceived"));
                assertEquals(Map.of("connect_refused", 1L), map(jmx.getAttribute(server, "UpstreamFailures")));

                ObjectName good = named(names, "Peer", ObjectName.quote(echo.address()));
                assertEquals("backend", good.getKeyProperty("upstream"));
                assertEquals("up", jmx.getAttribute(good, "State"));
                assertEquals(true, jmx.getAttribute(good, "Up"));
                assertEquals(2L, jmx.getAttribute(good, "Connects"));
                ObjectName bad = named(names, "Peer", ObjectName.quote("127.0.0.1:" + closed));
                assertEquals("failed", jmx.getAttribute(bad, "State"));
                assertEquals(false, jmx.getAttribute(bad, "Up"));
                assertEquals(1, jmx.getAttribute(bad, "Fails"));
                assertEquals("connect_refused", jmx.getAttribute(bad, "LastFailureReason"));
                assertTrue((Long) jmx.getAttribute(bad, "LastFailureTime") > 0);
                assertEquals(0L, jmx.getAttribute(bad, "Connects"));

                try (TestProxy second = TestProxy.start(otherDir, config)) {
                    List<ObjectName> others = second.proxy().metrics().startJmx();
                    assertTrue(others.stream().allMatch(n -> n.getKeyProperty("proxy") != null),
                            "a second proxy in one JVM gets an extra key: " + others);
                    assertTrue(others.stream().allMatch(jmx::isRegistered));
                    assertTrue(names.stream().allMatch(jmx::isRegistered), "the first keeps its names");
                }
            }
            assertFalse(names.stream().anyMatch(jmx::isRegistered), "unregistered at shutdown");
        }
    }

    private static ObjectName named(List<ObjectName> names, String type, String name) {
        return names.stream().filter(n -> n.getKeyProperty("type").equals(type) && n.getKeyProperty("name").equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type + " " + name + " in " + names));
    }

    /** An MXBean's Map arrives as TabularData of (key, value) rows. */
    private static Map<String, Long> map(Object tabular) {
        Map<String, Long> out = new TreeMap<>();
        for (Object row : ((TabularData) tabular).values()) {
            CompositeData d = (CompositeData) row;
            out.put((String) d.get("key"), (Long) d.get("value"));
        }
        return out;
    }
}

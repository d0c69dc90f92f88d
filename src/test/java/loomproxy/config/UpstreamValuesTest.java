package loomproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UpstreamValuesTest {
    @Test
    void defaultsAreNginxs() throws Exception {
        assertEquals(List.of(new UpstreamServer(new HostPort("a", 1), 1, 1, Duration.ofSeconds(10), 0, false, false)),
                UpstreamValues.parse("a:1"));
    }

    @Test
    void everyParameter() throws Exception {
        List<UpstreamServer> s = UpstreamValues.parse(
                "a:1 weight=5 max_fails=3 fail_timeout=30s max_conns=100, [::1]:2 max_fails=0 fail_timeout=2m backup,"
                        + " c:3 down");
        assertEquals(new UpstreamServer(new HostPort("a", 1), 5, 3, Duration.ofSeconds(30), 100, false, false), s.get(0));
        assertEquals(new UpstreamServer(new HostPort("::1", 2), 1, 0, Duration.ofMinutes(2), 0, true, false), s.get(1));
        assertEquals(new UpstreamServer(new HostPort("c", 3), 1, 1, Duration.ofSeconds(10), 0, false, true), s.get(2));
    }

    @Test
    void resolveMarksANameToLookUpAgain() throws Exception {
        assertEquals(List.of(new UpstreamServer(new HostPort("a.example", 1), 2, 1, Duration.ofSeconds(10), 0, false, false, true),
                        new UpstreamServer(new HostPort("b.example", 2), 1, 1, Duration.ofSeconds(10), 0, false, false, false)),
                UpstreamValues.parse("a.example:1 weight=2 resolve, b.example:2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a:1 weight=0", "a:1 weight=", "a:1 max_fails=-1", "a:1 fail_timeout=500ms",
            "a:1 max_conns=x", "10.0.0.1:1 resolve", "[::1]:1 resolve", "a:1,", "a:1,,b:2", "a:1 backup", "a:1 Weight=2"})
    void invalid(String text) {
        assertThrows(InvalidValueException.class, () -> UpstreamValues.parse(text));
    }

    @Test
    void messages() {
        assertEquals("invalid number \"0\", a whole number >= 1 is expected (in \"b:2 weight=0\")",
                assertThrows(InvalidValueException.class, () -> UpstreamValues.parse("a:1, b:2 weight=0")).getMessage());
        assertEquals("no port in \"backend1.example.com\", write host:port or [IPv6]:port",
                assertThrows(InvalidValueException.class, () -> UpstreamValues.parse("backend1.example.com")).getMessage());
        assertEquals("drop NGINX's \"server\" keyword: write a:1 weight=2 (servers are host:port [parameters], separated"
                        + " by commas) (in \"server a:1 weight=2\")",
                assertThrows(InvalidValueException.class, () -> UpstreamValues.parse("server a:1 weight=2")).getMessage());
        assertEquals("unix-domain sockets such as \"unix:/tmp/x.sock\" are not supported; use host:port",
                assertThrows(InvalidValueException.class, () -> UpstreamValues.parse("unix:/tmp/x.sock")).getMessage());
        assertEquals("every server is a backup server; at least one primary server is required",
                assertThrows(InvalidValueException.class, () -> UpstreamValues.parse("a:1 backup, b:2 backup")).getMessage());
    }
}

package loomproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HealthValuesTest {
    @TempDir
    Path dir;

    @Test
    void onTakesEveryDefaultAndOffChecksNothing() throws Exception {
        HealthCheck on = HealthValues.parse("on").orElseThrow();
        assertEquals(new HealthCheck(Duration.ofSeconds(5), Optional.empty(), 1, 1, OptionalInt.empty(), Optional.empty(),
                Optional.empty()), on);
        assertEquals(Duration.ofMillis(250), on.timeoutOr(Duration.ofMillis(250)), "timeout defaults to proxy_connect_timeout");
        assertEquals(Optional.empty(), HealthValues.parse("off"));
    }

    @Test
    void everyParameter() throws Exception {
        HealthCheck c = HealthValues.parse("interval=500ms timeout=2s fails=3 passes=2 port=8080 send=PING expect=PONG").orElseThrow();
        assertEquals(Duration.ofMillis(500), c.interval());
        assertEquals(Duration.ofSeconds(2), c.timeoutOr(Duration.ofSeconds(60)));
        assertEquals(3, c.fails());
        assertEquals(2, c.passes());
        assertEquals(OptionalInt.of(8080), c.port());
        assertEquals(Optional.of("PING"), c.send());
        assertTrue(c.expect().orElseThrow().matches("+PONG\r\n"));
        assertFalse(c.expect().orElseThrow().matches("PON"));
    }

    /** The file's own escapes reach the text (SPEC §11): send = "PING\r\n" sends CR LF; a regex's \d is written \\d. */
    @Test
    void quotedTextWithTheFilesEscapes() throws Exception {
        ProxyConfig c = new ConfigFiles(dir).load("server.m.listen = 1", "server.m.proxy_pass = h:1",
                "server.m.health_check = send=\"PING me\\r\\n\" expect=\"~^\\\\+OK \\\\d+\"");
        HealthCheck check = c.servers().get(0).healthCheck().orElseThrow();
        assertEquals(Optional.of("PING me\r\n"), check.send());
        assertEquals("~^\\+OK \\d+", check.expect().orElseThrow().toString());
        assertTrue(check.expect().orElseThrow().matches("+OK 42\r\n"));
        assertFalse(check.expect().orElseThrow().matches("+OK x"));
    }

    @Test
    void twoChecksWithTheSameRegexAreTheSameCheck() throws Exception {
        assertEquals(HealthValues.parse("expect=~a+b"), HealthValues.parse("expect=~a+b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"interval=0", "interval=x", "fails=0", "passes=-1", "port=0", "port=70000", "send=",
            "expect=~(", "send=\"a", "send=a\"b\"", "every=1s", "interval", "interval=1s interval=2s", "yes"})
    void invalid(String text) {
        assertThrows(InvalidValueException.class, () -> HealthValues.parse(text));
    }

    @Test
    void messagesNameTheForm() {
        assertEquals("invalid regular expression \"(\": Unclosed group near index 1",
                assertThrows(InvalidValueException.class, () -> HealthValues.parse("expect=~(")).getMessage());
        assertEquals(List.of("1: health_check: duplicate parameter \"fails\" in \"fails=1 fails=2\""),
                new ConfigFiles(dir).errors("health_check = fails=1 fails=2", "server.m.listen = 1", "server.m.proxy_pass = h:1"));
    }
}

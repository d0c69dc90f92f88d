package loomproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValuesTest {
    @Test
    void flags() throws Exception {
        assertTrue(Values.flag("on"));
        assertTrue(Values.flag("ON"));
        assertFalse(Values.flag("off"));
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Values.flag("yes"));
        assertEquals("invalid value \"yes\", it must be \"on\" or \"off\"", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"500ms,500", "10s,10000", "10,10000", "5m,300000", "1h,3600000", "1d,86400000",
            "1w,604800000", "1m30s,90000", "1m 30s,90000", "1h 30,3630000", "1s500ms,1500", "0,0"})
    void durations(String text, long millis) throws Exception {
        assertEquals(Duration.ofMillis(millis), Values.duration(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "10x", "-1s", "1.5s", "30s 1m", "10 5s", "5mm", "1m1m", "ms", "99999999999999999d"})
    void invalidDurations(String text) {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Values.duration(text));
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
    }

    @Test
    void positiveDurationRefusesZero() {
        assertThrows(InvalidValueException.class, () -> Values.positiveDuration("0s"));
    }

    @Test
    void failTimeoutTakesWholeSecondsOnly() throws Exception {
        assertEquals(Duration.ofSeconds(30), Values.seconds("30"));
        assertEquals(Duration.ofMinutes(2), Values.seconds("2m"));
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Values.seconds("500ms"));
        assertTrue(e.getMessage().contains("whole seconds"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"512,512", "16k,16384", "16K,16384", "1m,1048576", "2G,2147483648", "0,0"})
    void sizes(String text, long bytes) throws Exception {
        assertEquals(bytes, Values.size(text, Long.MAX_VALUE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"16kb", "k", "1.5m", "-1", "16 k", "99999999999999999999"})
    void invalidSizes(String text) {
        assertThrows(InvalidValueException.class, () -> Values.size(text, Long.MAX_VALUE));
    }

    @Test
    void bufferSizeMustBePositive() throws Exception {
        assertEquals(16384, Values.bufferSize("16k"));
        assertThrows(InvalidValueException.class, () -> Values.bufferSize("0"));
        assertThrows(InvalidValueException.class, () -> Values.bufferSize("2g"));
    }

    @Test
    void numbers() throws Exception {
        assertEquals(0, Values.number("0", 0));
        assertEquals(7, Values.number("7", 1));
        assertEquals("invalid number \"0\", a whole number >= 1 is expected",
                assertThrows(InvalidValueException.class, () -> Values.number("0", 1)).getMessage());
        assertThrows(InvalidValueException.class, () -> Values.number("-1", 0));
        assertThrows(InvalidValueException.class, () -> Values.number("1x", 0));
        assertThrows(InvalidValueException.class, () -> Values.number("99999999999", 0));
    }

    @Test
    void hostPorts() throws Exception {
        assertEquals(new HostPort("backend1.example.com", 12345), Values.hostPort("backend1.example.com:12345"));
        assertEquals(new HostPort("10.0.0.9", 1), Values.hostPort("10.0.0.9:1"));
        assertEquals(new HostPort("::1", 65535), Values.hostPort("[::1]:65535"));
        assertEquals(new HostPort("fe80::1%eth0", 80), Values.hostPort("[fe80::1%eth0]:80"));
        assertEquals("[::1]:443", Values.hostPort("[::1]:443").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "host:", "host:0", "host:65536", "host:x", ":80", "::1:80", "[::1]", "[]:80",
            "[zz]:80", "a b:80", "a/b:80"})
    void invalidHostPorts(String text) {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Values.hostPort(text));
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void ipv6WithoutBracketsSaysSo() {
        assertTrue(assertThrows(InvalidValueException.class, () -> Values.hostPort("::1:80")).getMessage()
                .contains("needs brackets"));
    }

    @Test
    void protocols() throws Exception {
        assertEquals(List.of("TLSv1", "TLSv1.1", "TLSv1.2"), Values.protocols("TLSv1 TLSv1.1 TLSv1.2"));
        assertEquals(List.of("SSLv3", "TLSv1.3"), Values.protocols("sslv3  tlsv1.3 TLSv1.3"));
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Values.protocols("TLSv1.2 TLSv2"));
        assertEquals("invalid value \"TLSv2\", it must be one of SSLv3 TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", e.getMessage());
    }

    @Test
    void sslNameIsOneLiteralName() throws Exception {
        assertEquals("upstream.internal", Values.name("upstream.internal"));
        assertThrows(InvalidValueException.class, () -> Values.name("a b"));
        assertTrue(assertThrows(InvalidValueException.class, () -> Values.name("$proxy_host")).getMessage()
                .contains("variables are not supported"));
    }
}

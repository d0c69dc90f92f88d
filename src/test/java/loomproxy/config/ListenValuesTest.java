package loomproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListenValuesTest {
    @Test
    void portOnlyBindsEveryIpv4Address() throws Exception {
        assertEquals(List.of(new ListenAddress(new HostPort("0.0.0.0", 12345), -1, false, false)),
                ListenValues.parse("12345"));
    }

    @Test
    void addressForms() throws Exception {
        List<ListenAddress> l = ListenValues.parse("127.0.0.1:1, [::1]:2, *:3, localhost:4");
        assertEquals(List.of(new HostPort("127.0.0.1", 1), new HostPort("::1", 2), new HostPort("0.0.0.0", 3),
                new HostPort("localhost", 4)), l.stream().map(ListenAddress::address).toList());
    }

    @Test
    void parameters() throws Exception {
        List<ListenAddress> l = ListenValues.parse("[::]:443 backlog=511 reuseport so_keepalive=on, 80 so_keepalive=off");
        assertEquals(new ListenAddress(new HostPort("::", 443), 511, true, true), l.get(0));
        assertEquals(new ListenAddress(new HostPort("0.0.0.0", 80), -1, false, false), l.get(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"65536", "-1", "80 ssl", "80 backlog=0", "80 backlog=x", "80,", ", 80", "80,,81",
            "80 so_keepalive=yes", "host", "[::1]"})
    void invalid(String text) {
        assertThrows(InvalidValueException.class, () -> ListenValues.parse(text));
    }

    @Test
    void messagesNameTheEntry() {
        assertEquals("invalid parameter \"ssl\" in \"80 ssl\", listen takes backlog=N, reuseport and so_keepalive=on|off",
                assertThrows(InvalidValueException.class, () -> ListenValues.parse("81, 80 ssl")).getMessage());
        assertEquals("invalid number \"0\", a whole number >= 1 is expected (in \"80 backlog=0\")",
                assertThrows(InvalidValueException.class, () -> ListenValues.parse("80 backlog=0")).getMessage());
        assertTrue(assertThrows(InvalidValueException.class, () -> ListenValues.parse("80 so_keepalive=30m::10"))
                .getMessage().contains("not supported by this version of loomproxy"));
    }

    @Test
    void unixSocketsAreRefusedByName() {
        assertEquals("unix-domain sockets such as \"unix:/tmp/x.sock\" are not supported; use [address:]port",
                assertThrows(InvalidValueException.class, () -> ListenValues.parse("unix:/tmp/x.sock")).getMessage());
    }

    @Test
    void portZeroAsksForAFreePort() throws InvalidValueException {
        assertEquals(0, ListenValues.address("127.0.0.1:0").port());
        assertEquals("127.0.0.1", ListenValues.address("127.0.0.1:0").host());
        assertEquals("0.0.0.0", ListenValues.address("0").host());
    }
}

package loomproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code admin_listen} and {@code admin_allow} (SPEC §10, the list syntax of §9). */
class AdminConfigTest {
    @TempDir
    Path dir;

    private static final String[] SERVER = {"server.m.listen = 1", "server.m.proxy_pass = h:1"};

    private ConfigFiles files() {
        return new ConfigFiles(dir);
    }

    private AdminConfig admin(String... lines) throws Exception {
        String[] all = new String[lines.length + SERVER.length];
        System.arraycopy(lines, 0, all, 0, lines.length);
        System.arraycopy(SERVER, 0, all, lines.length, SERVER.length);
        return files().load(all).admin();
    }

    private List<String> errors(String... lines) {
        String[] all = new String[lines.length + SERVER.length];
        System.arraycopy(lines, 0, all, 0, lines.length);
        System.arraycopy(SERVER, 0, all, lines.length, SERVER.length);
        return files().errors(all);
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void offByDefaultAndOnlyTheHostItselfMayRead() throws Exception {
        AdminConfig a = admin();
        assertEquals(Optional.empty(), a.listen());
        assertEquals("127.0.0.1/32, 0:0:0:0:0:0:0:1/128", a.allow().toString());
        assertTrue(a.allow().permits(ip("127.0.0.1")));
        assertTrue(a.allow().permits(ip("::1")));
        assertFalse(a.allow().permits(ip("127.0.0.2")));
        assertFalse(a.allow().permits(ip("10.0.0.1")));
    }

    /** SPEC §10 documents off as the default, so writing it out must mean the same as leaving the key out. */
    @Test
    void offWrittenOutIsNoEndpoint() throws Exception {
        assertEquals(Optional.empty(), admin("admin_listen = off").listen());
        assertEquals(Optional.empty(), admin("admin_listen = OFF").listen());
    }

    @Test
    void aBarePortBindsLoopbackOnly() throws Exception {
        assertEquals(Optional.of(new HostPort("127.0.0.1", 9100)), admin("admin_listen = 9100").listen());
        assertEquals(Optional.of(new HostPort("127.0.0.1", 0)), admin("admin_listen = 0").listen());
        assertEquals(Optional.of(new HostPort("0.0.0.0", 9100)), admin("admin_listen = *:9100").listen());
        assertEquals(Optional.of(new HostPort("::1", 9100)), admin("admin_listen = [::1]:9100").listen());
        assertEquals(Optional.of(new HostPort("10.0.0.5", 9100)), admin("admin_listen = 10.0.0.5:9100").listen());
    }

    @Test
    void allowListsAddressesBlocksAndAll() throws Exception {
        AllowList allow = admin("admin_allow = 10.0.0.0/8, 192.0.2.7 , 2001:db8::/32, ::1").allow();
        assertEquals("10.0.0.0/8, 192.0.2.7/32, 2001:db8:0:0:0:0:0:0/32, 0:0:0:0:0:0:0:1/128", allow.toString());
        assertTrue(allow.permits(ip("10.255.1.2")));
        assertTrue(allow.permits(ip("192.0.2.7")));
        assertFalse(allow.permits(ip("192.0.2.8")));
        assertTrue(allow.permits(ip("2001:db8:ffff::1")));
        assertFalse(allow.permits(ip("2001:db9::1")));
        assertFalse(allow.permits(ip("127.0.0.1")));
        assertTrue(admin("admin_allow = all").allow().permits(ip("203.0.113.9")));
        assertTrue(admin("admin_allow = 0.0.0.0/0").allow().permits(ip("203.0.113.9")));
        assertFalse(admin("admin_allow = 0.0.0.0/0").allow().permits(ip("2001:db8::1")));
    }

    @Test
    void anIpv4MappedClientMatchesIpv4Entries() throws Exception {
        AllowList allow = admin("admin_allow = 192.0.2.0/24").allow();
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 192;
        mapped[14] = 2;
        mapped[15] = 1;
        // InetAddress.getByAddress turns a mapped address into an Inet4Address itself; an
        // Inet6Address carrying one (as a dual-stack socket may report) must match as well.
        assertTrue(allow.permits(java.net.Inet6Address.getByAddress(null, mapped, -1)));
        assertTrue(allow.permits(ip("::ffff:192.0.2.1")));
        assertFalse(allow.permits(ip("::ffff:198.51.100.1")));
        assertTrue(admin("admin_allow = ::ffff:192.0.2.0/120").allow().permits(ip("192.0.2.200")));
    }

    @Test
    void errorsNameTheLineTheKeyAndTheExpectedForm() {
        assertEquals(List.of(
                "1: admin_listen: invalid port \"65536\" in \"65536\", it must be 1..65535",
                "2: admin_allow: invalid address \"example.com\", use an IPv4 or IPv6 address, a CIDR block such as"
                        + " 10.0.0.0/8, or all"),
                errors("admin_listen = 65536", "admin_allow = 127.0.0.1, example.com"));
        assertEquals(List.of("1: admin_allow: low address bits of 10.0.0.1/8 are meaningless; write 10.0.0.0/8"),
                errors("admin_allow = 10.0.0.1/8"));
        assertEquals(List.of("1: admin_allow: invalid prefix length \"33\" in \"10.0.0.0/33\", it must be 0..32"),
                errors("admin_allow = 10.0.0.0/33"));
        assertEquals(List.of("1: admin_allow: invalid address \"256.0.0.1\", use an IPv4 or IPv6 address, a CIDR"
                        + " block such as 10.0.0.0/8, or all"),
                errors("admin_allow = 256.0.0.1"));
        assertEquals(List.of("1: admin_allow: empty entry in \"127.0.0.1,,::1\", entries are separated by single commas"),
                errors("admin_allow = 127.0.0.1,,::1"));
        assertEquals(List.of("1: admin_listen: invalid value \"9100 9101\", one word without spaces is expected",
                        "2: admin_allow: invalid address \"[::1]\", use an IPv4 or IPv6 address, a CIDR block such as"
                                + " 10.0.0.0/8, or all"),
                errors("admin_listen = 9100 9101", "admin_allow = [::1]"));
        assertEquals(List.of("1: admin_listen: invalid value \"1,2\", admin_listen takes one address"),
                errors("admin_listen = 1,2"));
    }

    @Test
    void topLevelOnly() {
        assertEquals(List.of(
                "1: server.m.admin_listen: only valid at top level; write admin_listen without the server.m. prefix",
                "2: server.m.admin_allow: only valid at top level; write admin_allow without the server.m. prefix"),
                errors("server.m.admin_listen = 9100", "server.m.admin_allow = all"));
    }
}

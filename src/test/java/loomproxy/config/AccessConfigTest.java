package loomproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** allow/deny, limit_conn, limit_conn_per_addr, limit_conn_log_level and proxy_protocol v1/v2 (SPEC §9) as read from a file. */
class AccessConfigTest {
    @TempDir
    Path dir;

    private ConfigFiles files() {
        return new ConfigFiles(dir);
    }

    private Map<String, ServerConfig> servers(String... lines) throws Exception {
        return files().load(lines).servers().stream().collect(Collectors.toMap(ServerConfig::name, Function.identity()));
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void allowAndDenyLinesAreOneListInFileOrderAndTheFirstMatchDecides() throws Exception {
        ServerConfig s = servers(
                "server.m.listen = 1", "server.m.proxy_pass = h:1",
                "server.m.deny = 192.168.1.1",
                "server.m.allow = 192.168.1.0/24, 10.1.0.0/16",
                "server.m.allow = 2001:db8::/32",
                "server.m.deny = all").get("m");
        assertEquals("deny 192.168.1.1/32; allow 192.168.1.0/24, 10.1.0.0/16; allow 2001:db8:0:0:0:0:0:0/32; deny all",
                s.access().toString(), "NGINX's documented example (its 10.1.1.0/16 is an error here: low bits set)");
        assertFalse(s.access().allows(ip("192.168.1.1")), "the first rule wins over the later allow of its /24");
        assertTrue(s.access().allows(ip("192.168.1.2")));
        assertTrue(s.access().allows(ip("2001:db8::5")));
        assertFalse(s.access().allows(ip("2001:db9::5")));
        assertFalse(s.access().allows(ip("127.0.0.1")));
    }

    @Test
    void aClientNoRuleMatchesMayConnectAsInNginx() throws Exception {
        ServerConfig s = servers("server.m.listen = 1", "server.m.proxy_pass = h:1", "server.m.deny = 10.0.0.0/8").get("m");
        assertTrue(s.access().allows(ip("127.0.0.1")));
        assertFalse(s.access().allows(ip("10.2.3.4")));
        ServerConfig none = servers("server.m.listen = 1", "server.m.proxy_pass = h:1").get("m");
        assertEquals(AccessRules.NONE, none.access());
        assertTrue(none.access().allows(ip("::1")));
    }

    @Test
    void aBlockWithoutRulesInheritsTheWholeTopLevelListAndABlockWithAnyRuleNone() throws Exception {
        Map<String, ServerConfig> s = servers(
                "allow = 127.0.0.1",
                "deny = all",
                "server.inherits.listen = 1", "server.inherits.proxy_pass = h:1",
                "server.own.listen = 2", "server.own.proxy_pass = h:1",
                "server.own.deny = 127.0.0.2");
        assertEquals("allow 127.0.0.1/32; deny all", s.get("inherits").access().toString());
        assertEquals("deny 127.0.0.2/32", s.get("own").access().toString(), "no top-level allow or deny mixed in");
        assertTrue(s.get("own").access().allows(ip("10.0.0.1")));
        assertFalse(s.get("inherits").access().allows(ip("10.0.0.1")));
    }

    @Test
    void anIpv4MappedIpv6ClientMatchesIpv4Rules() throws Exception {
        ServerConfig s = servers("server.m.listen = 1", "server.m.proxy_pass = h:1",
                "server.m.deny = 127.0.0.2", "server.m.allow = 127.0.0.0/8", "server.m.deny = all").get("m");
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 2};
        InetAddress client = Inet6Address.getByAddress(null, mapped, -1);
        assertTrue(client instanceof Inet6Address, "a real IPv6 address object carrying an IPv4 address");
        assertFalse(s.access().allows(client));
        mapped[15] = 3;
        assertTrue(s.access().allows(Inet6Address.getByAddress(null, mapped, -1)));
        assertFalse(s.access().allows(ip("::2")), "not an IPv4-mapped address: only deny all matches");
    }

    /**
     * ngx_stream_access_handler checks a mapped client against the IPv4 rules only when there are
     * some; without any it checks the IPv6 rules with the whole address.
     */
    @Test
    void anIpv4MappedClientMeetsTheIpv6RulesWhenThereIsNoIpv4Rule() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 2};
        InetAddress client = Inet6Address.getByAddress(null, mapped, -1);
        AccessRules v6Only = new AccessRules(List.of(new AccessRules.Rule(false, AllowValues.parse("::/0"))));
        assertFalse(v6Only.allows(client), "::/0 takes it: there is no IPv4 rule");
        AccessRules both = new AccessRules(List.of(new AccessRules.Rule(false, AllowValues.parse("::/0")),
                new AccessRules.Rule(true, AllowValues.parse("10.0.0.0/8"))));
        assertTrue(both.allows(client), "with an IPv4 rule only IPv4 rules count, and none matches");
        assertFalse(new AccessRules(List.of(new AccessRules.Rule(false, AllowValues.parse("all")))).allows(client));
    }

    @Test
    void prefixesOfEveryLengthMatchExactlyTheirNetwork() throws Exception {
        AccessRules v4 = new AccessRules(List.of(new AccessRules.Rule(false, AllowValues.parse("10.0.0.0/9")),
                new AccessRules.Rule(false, AllowValues.parse("0.0.0.0/0"))));
        assertFalse(v4.allows(ip("10.127.255.255")));
        assertFalse(v4.allows(ip("200.1.1.1")), "/0 is every IPv4 address");
        assertTrue(v4.allows(ip("::1")), "but no IPv6 one");
        AccessRules v6 = new AccessRules(List.of(new AccessRules.Rule(true, AllowValues.parse("2001:db8:0:0:8000::/65")),
                new AccessRules.Rule(false, AllowValues.parse("::/0"))));
        assertTrue(v6.allows(ip("2001:db8::8000:0:0:1")));
        assertFalse(v6.allows(ip("2001:db8::7fff:0:0:1")));
        assertTrue(v6.allows(ip("10.0.0.1")), "::/0 is no IPv4 address");
        AccessRules host = new AccessRules(List.of(new AccessRules.Rule(false, AllowValues.parse("::1, 127.0.0.1"))));
        assertFalse(host.allows(ip("::1")));
        assertTrue(host.allows(ip("::2")));
        assertFalse(host.allows(ip("127.0.0.1")));
        assertTrue(host.allows(ip("127.0.0.2")));
    }

    @Test
    void limitsAndTheirLogLevel() throws Exception {
        Map<String, ServerConfig> s = servers(
                "limit_conn = 100",
                "limit_conn_log_level = warn",
                "server.a.listen = 1", "server.a.proxy_pass = h:1",
                "server.b.listen = 2", "server.b.proxy_pass = h:1",
                "server.b.limit_conn = 5", "server.b.limit_conn_per_addr = 2", "server.b.limit_conn_log_level = notice");
        assertEquals(new ConnLimits(100, 0, LogLevel.WARN), s.get("a").limits());
        assertEquals(new ConnLimits(5, 2, LogLevel.NOTICE), s.get("b").limits());
        assertEquals(new ConnLimits(0, 0, LogLevel.ERROR),
                servers("server.a.listen = 1", "server.a.proxy_pass = h:1").get("a").limits(), "no limit by default");
    }

    @Test
    void proxyProtocolTakesOnOffV1AndV2() throws Exception {
        Map<String, ServerConfig> s = servers("proxy_protocol = v2",
                "server.a.listen = 1", "server.a.proxy_pass = h:1",
                "server.b.listen = 2", "server.b.proxy_pass = h:1", "server.b.proxy_protocol = on",
                "server.c.listen = 3", "server.c.proxy_pass = h:1", "server.c.proxy_protocol = v1",
                "server.d.listen = 4", "server.d.proxy_pass = h:1", "server.d.proxy_protocol = off");
        assertEquals(ProxyProtocol.V2, s.get("a").proxyProtocol());
        assertEquals(ProxyProtocol.V1, s.get("b").proxyProtocol());
        assertEquals(ProxyProtocol.V1, s.get("c").proxyProtocol());
        assertEquals(ProxyProtocol.OFF, s.get("d").proxyProtocol());
    }

    @Test
    void invalidValuesAreReportedAtTheirLine() {
        assertEquals(List.of(
                        "3: allow: invalid address \"backend.example.com\", use an IPv4 or IPv6 address, a CIDR block such as 10.0.0.0/8, or all",
                        "4: server.m.deny: low address bits of 10.0.0.1/8 are meaningless; write 10.0.0.0/8",
                        "5: server.m.deny: invalid prefix length \"33\" in \"10.0.0.0/33\", it must be 0..32",
                        "6: limit_conn: invalid number \"0\", a whole number >= 1 is expected",
                        "7: server.m.limit_conn_per_addr: invalid value \"65536\", it must be at most 65535 (NGINX's connection limit)",
                        "8: limit_conn_log_level: invalid value \"debug\", it must be info, notice, warn or error",
                        "9: proxy_protocol: invalid value \"v3\", it must be \"on\", \"off\", \"v1\" or \"v2\"",
                        "11: server.m.limit_conn: duplicate key, first set at " + dir.resolve("loomproxy.properties") + ":10"),
                files().errors("server.m.listen = 1", "server.m.proxy_pass = h:1",
                        "allow = backend.example.com",
                        "server.m.deny = 10.0.0.1/8",
                        "server.m.deny = 10.0.0.0/33",
                        "limit_conn = 0",
                        "server.m.limit_conn_per_addr = 65536",
                        "limit_conn_log_level = debug",
                        "proxy_protocol = v3",
                        "server.m.limit_conn = 2",
                        "server.m.limit_conn = 3"));
    }
}

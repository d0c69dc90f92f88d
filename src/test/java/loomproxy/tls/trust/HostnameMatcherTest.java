package loomproxy.tls.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import loomproxy.testkit.Ca;
import loomproxy.testkit.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6125 name matching (SPEC §4) against real certificates made by openssl. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostnameMatcherTest {
    private X509Certificate sans;
    private X509Certificate cnOnly;
    private X509Certificate wildcardCnOnly;
    private X509Certificate sanAndCn;
    private X509Certificate ipAsCn;
    private X509Certificate ipAsDns;
    private X509Certificate mappedIp;
    private X509Certificate plainIp;
    private X509Certificate twoCns;

    @BeforeAll
    void certificates(@TempDir Path dir) {
        Ca ca = TestPki.in(dir).root("Root CA");
        sans = ca.newServer("cn.example.com")
                .dns("a.example.com", "*.b.example.com", "*.com", "f*.c.example.com", "UPPER.Example.COM")
                .ip("192.0.2.7", "2001:db8::1").issue().cert();
        cnOnly = ca.newServer("legacy.example.com").cnOnly().issue().cert();
        wildcardCnOnly = ca.newServer("*.w.example.com").cnOnly().issue().cert();
        sanAndCn = ca.newServer("cn.example.com").dns("other.example.com").issue().cert();
        ipAsCn = ca.newServer("10.0.0.1").cnOnly().issue().cert();
        ipAsDns = ca.newServer("leaf").dns("10.0.0.1").issue().cert();
        mappedIp = ca.newServer("leaf").ip("::ffff:192.0.2.1").issue().cert();
        plainIp = ca.newServer("leaf").ip("192.0.2.1").issue().cert();
        twoCns = ca.newServer("last.example.com").cnOnly().subject("/CN=first.example.com/O=Org/CN=last.example.com")
                .issue().cert();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "a.example.com, true",
            "A.EXAMPLE.COM, true",
            "upper.example.com, true",
            "a.example.com., false",
            "x.b.example.com, true",
            "X.B.Example.Com, true",
            "a.x.b.example.com, false",
            "b.example.com, false",
            ".b.example.com, false",
            "*.b.example.com, false",
            "anything.com, false",
            "foo.c.example.com, false",
            "f.c.example.com, false",
            "cn.example.com, false",
            "192.0.2.7, true",
            "192.0.2.8, false",
            "2001:db8::1, true",
            "2001:0DB8:0:0:0:0:0:1, true",
            "[2001:db8::1], true",
            "2001:db8::2, false",
            "'', false",
    })
    void sanMatching(String name, boolean expected) {
        assertEquals(expected, HostnameMatcher.matches(name, sans));
    }

    @Test
    void ipLiteralNeverMatchesADnsSanOrTheCn() {
        assertFalse(HostnameMatcher.matches("10.0.0.1", ipAsCn));
        assertFalse(HostnameMatcher.matches("10.0.0.1", ipAsDns));
    }

    @Test
    void ipv4MappedIpv6AndIpv4AreDifferentNames() {
        // 16 bytes are not 4: neither stands for the other, as OpenSSL compares iPAddress SANs.
        assertFalse(HostnameMatcher.matches("192.0.2.1", mappedIp));
        assertTrue(HostnameMatcher.matches("::ffff:192.0.2.1", mappedIp));
        assertTrue(HostnameMatcher.matches("[::FFFF:c000:0201]", mappedIp));
        assertFalse(HostnameMatcher.matches("::ffff:192.0.2.1", plainIp));
        assertTrue(HostnameMatcher.matches("192.0.2.1", plainIp));
        assertEquals(List.of("IP:0:0:0:0:0:ffff:c000:201"), HostnameMatcher.namesOf(mappedIp));
        assertEquals(16, HostnameMatcher.ipLiteral("::ffff:192.0.2.1").orElseThrow().length);
    }

    @Test
    void commonNameOnlyWhenThereIsNoSan() {
        assertTrue(HostnameMatcher.matches("legacy.example.com", cnOnly));
        assertTrue(HostnameMatcher.matches("LEGACY.example.com", cnOnly));
        assertFalse(HostnameMatcher.matches("legacy.example.com.", cnOnly));
        assertTrue(HostnameMatcher.matches("x.w.example.com", wildcardCnOnly));
        assertFalse(HostnameMatcher.matches("x.y.w.example.com", wildcardCnOnly));
        assertFalse(HostnameMatcher.matches("cn.example.com", sanAndCn));
        assertTrue(HostnameMatcher.matches("other.example.com", sanAndCn));
    }

    @Test
    void onlyTheLastCommonNameCounts() {
        // RFC 6125 §6.4.4 and the JDK's "most specific" CN (X500Name#findMostSpecificAttribute).
        assertTrue(HostnameMatcher.matches("last.example.com", twoCns));
        assertFalse(HostnameMatcher.matches("first.example.com", twoCns));
        assertEquals(List.of("CN:last.example.com"), HostnameMatcher.namesOf(twoCns));
    }

    @Test
    void namesForTheLog() {
        assertEquals(List.of("DNS:a.example.com", "DNS:*.b.example.com", "DNS:*.com", "DNS:f*.c.example.com",
                "DNS:UPPER.Example.COM", "IP:192.0.2.7", "IP:2001:db8:0:0:0:0:0:1"), HostnameMatcher.namesOf(sans));
        assertEquals(List.of("CN:legacy.example.com"), HostnameMatcher.namesOf(cnOnly));
    }

    @Test
    void wildcardRules() {
        assertTrue(HostnameMatcher.dnsMatches("*.example.com", "a.example.com"));
        assertFalse(HostnameMatcher.dnsMatches("*.example.com", "a.b.example.com"));
        assertFalse(HostnameMatcher.dnsMatches("*.example.com", "example.com"));
        assertFalse(HostnameMatcher.dnsMatches("*.com", "example.com"));
        assertFalse(HostnameMatcher.dnsMatches("f*.example.com", "foo.example.com"));
        assertFalse(HostnameMatcher.dnsMatches("a.*.example.com", "a.b.example.com"));
        assertFalse(HostnameMatcher.dnsMatches("*.example.com.", "a.example.com"));
        assertFalse(HostnameMatcher.dnsMatches("*..com", "a..com"));
    }

    @Test
    void ipLiteralsAreParsedWithoutLookups() {
        assertArrayEquals(new byte[] {1, 2, 3, 4}, HostnameMatcher.ipLiteral("1.2.3.4").orElseThrow());
        assertEquals(16, HostnameMatcher.ipLiteral("::1").orElseThrow().length);
        assertTrue(HostnameMatcher.ipLiteral("256.1.1.1").isEmpty());
        assertTrue(HostnameMatcher.ipLiteral("1.2.3").isEmpty());
        assertTrue(HostnameMatcher.ipLiteral("localhost").isEmpty());
        assertTrue(HostnameMatcher.ipLiteral("g::1").isEmpty());
        assertTrue(HostnameMatcher.ipLiteral("1::2::3").isEmpty());
    }
}

package loomproxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import loomproxy.config.Logs;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    @Test
    void knowsExactlyTheVariablesTheConfigurationAccepts() {
        assertEquals(Logs.VARIABLES, AccessLog.variables());
    }

    @Test
    void writesTheMainFormatWithJoinedTriesAndDashesForEmptyValues() {
        List<String> lines = new ArrayList<>();
        AccessLog log = AccessLog.compile(Logs.MAIN_FORMAT, lines::add);
        SessionFacts facts = new SessionFacts(7, new InetSocketAddress("192.0.2.7", 51234), new InetSocketAddress("127.0.0.1", 12345));
        facts.attempt("10.0.0.9:12345");
        facts.verify("depth");
        SessionFacts.Try second = facts.attempt("10.0.0.10:12345");
        second.connected(12_000_000);
        facts.tls("TLSv1.3", "TLS_AES_256_GCM_SHA384", "backend", true);
        facts.verify("ok");
        facts.clientBytes(5, 6);
        facts.end();
        log.write(facts);
        String line = lines.get(0);
        assertTrue(line.startsWith("192.0.2.7 ["), line);
        assertTrue(line.contains("] 200 5 6 0.0"), line);
        assertTrue(line.endsWith("\"10.0.0.9:12345, 10.0.0.10:12345\" \"-, 0.012\" TLSv1.3 r \"ok\""), line);
    }

    @Test
    void bracedVariablesAndLiterals() {
        List<String> lines = new ArrayList<>();
        SessionFacts facts = new SessionFacts(42, new InetSocketAddress("192.0.2.7", 1), new InetSocketAddress("127.0.0.1", 2));
        facts.status(502);
        facts.end();
        AccessLog.compile("conn=${connection}x status=$status ssl=$upstream_ssl_protocol", lines::add).write(facts);
        assertEquals("conn=42x status=502 ssl=-", lines.get(0));
    }

    /** A name with a quote, a backslash, a newline and an é: what proxy_ssl_name may carry into $upstream_ssl_name. */
    private static final String ODD = "caf\u00e9\"x\\y\n";

    private static String line(String format, String name) {
        List<String> lines = new ArrayList<>();
        SessionFacts facts = new SessionFacts(1, new InetSocketAddress("192.0.2.7", 1), new InetSocketAddress("127.0.0.1", 2));
        if (name != null) {
            facts.tls("TLSv1.3", "TLS_AES_128_GCM_SHA256", name, false);
        }
        facts.end();
        AccessLog.compile(format, lines::add).write(facts);
        return lines.get(0);
    }

    @Test
    void defaultEscapingWritesQuotesBackslashesControlAndNonAsciiBytesAsHex() {
        String expected = "\"caf\\xC3\\xA9\\x22x\\x5Cy\\x0A\" \"-\"";
        assertEquals(expected, line("\"$upstream_ssl_name\" \"$upstream_ssl_verify\"", ODD));
        assertEquals(expected, line("escape=default \"$upstream_ssl_name\" \"$upstream_ssl_verify\"", ODD));
    }

    @Test
    void jsonEscapingMakesAValidJsonStringAndAMissingValueEmpty() {
        assertEquals("{\"name\":\"caf\u00e9\\\"x\\\\y\\n\",\"verify\":\"\"}",
                line("escape=json {\"name\":\"$upstream_ssl_name\",\"verify\":\"$upstream_ssl_verify\"}", ODD));
        assertEquals("{\"name\":\"\\u0007\\t\\u001B[0m\"}",
                line("escape=json {\"name\":\"$upstream_ssl_name\"}", "\u0007\t\u001b[0m"));
    }

    @Test
    void noEscapingWritesValuesAsTheyAre() {
        assertEquals("[" + ODD + "] []", line("escape=none [$upstream_ssl_name] [$upstream_ssl_verify]", ODD));
    }

    @Test
    void theFormatsOwnTextIsNeverEscaped() {
        assertEquals("\"\\ é TLSv1.3", line("escape=json \"\\ é $upstream_ssl_protocol", "x"));
    }

    @Test
    void unknownEscapingIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> AccessLog.compile("escape=xml $status", l -> { }));
        assertEquals("unknown log format escaping \"xml\", use escape=default, escape=json or escape=none", e.getMessage());
    }

    @Test
    void unknownVariableIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> AccessLog.compile("$nope", l -> { }));
        assertTrue(e.getMessage().contains("unknown variable \"$nope\""), e.getMessage());
    }
}

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

    @Test
    void unknownVariableIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> AccessLog.compile("$nope", l -> { }));
        assertTrue(e.getMessage().contains("unknown variable \"$nope\""), e.getMessage());
    }
}

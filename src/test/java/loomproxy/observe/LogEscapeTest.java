package loomproxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import loomproxy.config.LogLevel;
import org.junit.jupiter.api.Test;

/** SPEC §9: nothing a peer sends reaches a log unescaped. */
class LogEscapeTest {
    @Test
    void controlsDelAndNonAsciiBytesBecomeHexEscapes() {
        assertEquals("CN=evil\\x0A2026/12/07 [emerg] forged", LogEscape.escape("CN=evil\n2026/12/07 [emerg] forged"));
        assertEquals("\\x1B[31mred\\x7F\\x00", LogEscape.escape("\u001b[31mred\u007f\u0000"));
        assertEquals("caf\\xC3\\xA9 \\xE2\\x82\\xAC", LogEscape.escape("café €"));
        assertEquals("tab\\x09cr\\x0D", LogEscape.escape("tab\tcr\r"));
    }

    @Test
    void plainAsciiIsLeftAsIs() {
        String plain = "upstream 127.0.0.1:443 verification failed: name: a.example not in [DNS:b.example]";
        assertSame(plain, LogEscape.escape(plain));
    }

    @Test
    void theErrorLogEscapesEveryMessageButKeepsItsOwnLine() {
        List<String> lines = new ArrayList<>();
        ErrorLog log = new ErrorLog(lines::add, LogLevel.INFO, Clock.systemDefaultZone());
        log.log(System.Logger.Level.WARNING, "name: x not in [CN:a\nb]");
        log.log(LogLevel.NOTICE, "subject CN=\r\nfake");
        assertEquals(2, lines.size());
        assertEquals(true, lines.get(0).endsWith("[warn] name: x not in [CN:a\\x0Ab]"), lines.get(0));
        assertEquals(true, lines.get(1).endsWith("[notice] subject CN=\\x0D\\x0Afake"), lines.get(1));
    }
}

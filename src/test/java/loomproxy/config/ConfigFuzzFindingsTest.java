package loomproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What {@link ConfigFuzzTest} found, each as the smallest input that shows it. The slow ones were
 * quadratic: the timeouts are generous for the fixed code (milliseconds) and far below the old
 * (tens of seconds at these sizes).
 */
class ConfigFuzzFindingsTest {
    private static final String SERVER = "server.m.listen = 1\nserver.m.proxy_pass = h:1";

    @TempDir
    Path dir;

    private List<String> output(String... lines) {
        return new ConfigFiles(dir).output(lines);
    }

    /**
     * A file of one U+2029. Keys and values are quoted in messages, and a line or paragraph
     * separator, a control character or an {@code \n} escape in them split the problem over lines
     * (or sent the terminal an escape sequence).
     */
    @Test
    void theFilesTextIsQuotedOnOneLine() {
        assertEquals(List.of("FILE:1: \\u2029: unknown directive",
                "FILE:2: \\u2029x\\u0085\\u001B[31m: unknown directive",
                "FILE:3: proxy_timeout: invalid time \"1\\n0\\u0000\", use a form such as 500ms, 10s, 5m, 1h, 1d or 1m30s;"
                        + " a bare number is seconds"),
                output("\u2029", "\u2029x\u0085\u001b[31m = 1", "proxy_timeout = 1\\n0\\u0000", SERVER));
    }

    /**
     * A bracketed address of 38 KB, mostly colons, took 27 s: the IPv6 regular expression
     * ({@code [hex:.]*:[hex:.]*(%zone)?}) backtracked over every colon when the end did not match.
     */
    @Test
    @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLongRunOfColonsInAnAddressIsRefusedAtOnce() {
        String address = "[" + ":".repeat(100_000) + "x]";
        assertEquals(List.of("FILE:2: server.m.proxy_pass: invalid host \"" + address + "\" in \"" + address + ":1\""),
                output("server.m.listen = 1", "server.m.proxy_pass = " + address + ":1"));
    }

    /**
     * A 200 KB key took a second (this 9 MB one, several): the nearest known key was searched by edit
     * distance against every candidate, a table of the key's length times the candidate's, though no
     * candidate can be within three edits of a key so much longer.
     */
    @Test
    @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aVeryLongUnknownKeyIsAnsweredAtOnce() {
        String key = "proxy_".repeat(1_500_000);
        assertEquals(List.of("FILE:1: " + key + ": unknown directive"), output(key + " = 1", SERVER));
    }
}

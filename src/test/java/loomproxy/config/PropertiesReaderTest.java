package loomproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PropertiesReaderTest {
    private static final Path FILE = Path.of("/etc/lp.properties");

    private final Problems problems = new Problems();

    private List<Setting> read(String text) {
        return new PropertiesReader(FILE, problems).read(text);
    }

    @Test
    void separatorsCommentsAndBlankLines() {
        List<Setting> s = read("""
                # comment
                ! also a comment
                   \t
                a = 1
                b: 2
                c 3
                d=4
                  e   =   five six
                f
                """);
        assertEquals(List.of("a=1", "b=2", "c=3", "d=4", "e=five six", "f="), pairs(s));
        assertEquals(List.of(4, 5, 6, 7, 8, 9), s.stream().map(x -> x.where().line()).toList());
        assertTrue(problems.isEmpty());
    }

    @Test
    void hashAfterValueIsPartOfTheValue() {
        assertEquals(List.of("a=on # not a comment"), pairs(read("a = on # not a comment\n")));
    }

    @Test
    void continuationKeepsTheFirstLineAndDropsLeadingBlanks() {
        List<Setting> s = read("x = 1\nupstream.b = a:1, \\\n      b:2, \\\n   c:3\ny = 2\n");
        assertEquals(List.of("x=1", "upstream.b=a:1, b:2, c:3", "y=2"), pairs(s));
        assertEquals(List.of(1, 2, 5), s.stream().map(x -> x.where().line()).toList());
    }

    @Test
    void evenBackslashesDoNotContinueAndCommentsNeverContinue() {
        List<Setting> s = read("# comment \\\na = x\\\\\nb = y\n");
        assertEquals(List.of("a=x\\", "b=y"), pairs(s));
        assertEquals(2, s.get(0).where().line());
    }

    @Test
    void continuationLineStartingWithHashIsValueNotComment() {
        assertEquals(List.of("a=1#2"), pairs(read("a = 1\\\n  #2\n")));
    }

    @Test
    void escapes() {
        List<Setting> s = read("k\\=e\\:y\\ x = \\u0041\\t\\n\\z\n");
        assertEquals("k=e:y x", s.get(0).key());
        assertEquals("A\t\nz", s.get(0).value());
    }

    @Test
    void crlfAndCrLineEndings() {
        List<Setting> s = read("a = 1\r\nb = 2\rc = 3\\\r\n  4\r\n");
        assertEquals(List.of("a=1", "b=2", "c=34"), pairs(s));
        assertEquals(List.of(1, 2, 3), s.stream().map(x -> x.where().line()).toList());
    }

    @Test
    void backslashAtEndOfFileIsDropped() {
        assertEquals(List.of("a=x"), pairs(read("a = x\\")));
    }

    @Test
    void malformedUnicodeEscapeIsReportedWithItsLine() {
        List<Setting> s = read("a = 1\nb = \\u12G4\nc = 3\n");
        assertEquals(List.of("a=1", "c=3"), pairs(s));
        Problem p = problems.list().get(0);
        assertEquals("/etc/lp.properties:2: b: malformed \\uHHHH escape \"\\u12G4\" "
                + "(four hex digits expected; write \\\\u for a backslash)", p.toString());
    }

    @Test
    void unicodeEscapeTakesAsciiHexDigitsOnlyAsProperties() {
        // Fullwidth digits: Character.digit reads them as 0, 0, 4, 1, and this was "A".
        String fullwidth = "\uff10\uff10\uff14\uff11";
        assertEquals(List.of(), read("a = \\u" + fullwidth + "\n"));
        assertEquals("/etc/lp.properties:1: a: malformed \\uHHHH escape \"\\u" + fullwidth + "\" "
                + "(four hex digits expected; write \\\\u for a backslash)", problems.list().get(0).toString());
        assertThrows(IllegalArgumentException.class, () -> new Properties().load(new StringReader("a = \\u" + fullwidth)));
    }

    @Test
    void eachNaturalLineContinuesByItsOwnTrailingBackslashesAsProperties() throws IOException {
        String text = "a=" + "\\".repeat(5) + "\n" + "\\".repeat(3) + "\n" + "\\".repeat(2) + "\nb=1\n";
        Properties jdk = new Properties();
        jdk.load(new StringReader(text));
        assertEquals(List.of("a=" + "\\".repeat(4), "b=1"), pairs(read(text)));
        assertEquals("\\".repeat(4), jdk.getProperty("a"));
    }

    /**
     * Each continuation counted the trailing backslashes of the whole logical line again: a line
     * ending in 200,001 of them followed by 100,000 lines of one backslash took minutes.
     */
    @Test
    @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLongRunOfBackslashesOverManyLinesIsReadInLinearTime() {
        String text = "a = " + "\\".repeat(200_001) + "\n" + "\\\n".repeat(100_000) + "\nb = 1\n";
        List<Setting> s = read(text);
        assertEquals(List.of("a", "b"), s.stream().map(Setting::key).toList());
        assertEquals("\\".repeat(100_000), s.get(0).value());
        assertEquals(100_003, s.get(1).where().line());
    }

    @Test
    void agreesWithJavaUtilProperties() throws IOException {
        String text = "a=1\n  b : 2 \\\n   3\n#c=4\n!d=5\ne\\ f\\:g = \\u00e9\\\\\nh\\\n  i=j\n\\#k=l\nm   \n n=\\\n";
        Properties jdk = new Properties();
        jdk.load(new StringReader(text));
        Map<String, String> ours = new LinkedHashMap<>();
        read(text).forEach(s -> ours.put(s.key(), s.value()));
        assertEquals(jdk, toProperties(ours));
    }

    private static Properties toProperties(Map<String, String> map) {
        Properties p = new Properties();
        p.putAll(map);
        return p;
    }

    private static List<String> pairs(List<Setting> settings) {
        return settings.stream().map(s -> s.key() + "=" + s.value()).toList();
    }
}

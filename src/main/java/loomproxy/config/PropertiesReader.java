package loomproxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the syntax of {@link java.util.Properties#load(java.io.Reader)} itself, because the JDK's
 * reader forgets line numbers and keeps only the last of a repeated key; every error here must name
 * {@code FILE:LINE} and a repeated key must be reported, not silently replaced.
 *
 * <p>Followed from the Properties javadoc: natural lines end at {@code \n}, {@code \r} or
 * {@code \r\n}; leading blanks (space, tab, form feed) are skipped; a line whose first non-blank
 * character is {@code #} or {@code !} is a comment and is never continued; an odd number of trailing
 * backslashes continues the logical line onto the next natural line (whose leading blanks are
 * dropped); the key ends at the first unescaped {@code =}, {@code :} or blank; escapes are
 * {@code \t \n \r \f \\uHHHH}, and a backslash before any other character yields that character.
 */
final class PropertiesReader {
    private static final String BLANKS = " \t\f";

    private final Path file;
    private final Problems problems;

    PropertiesReader(Path file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    /** Every setting in file order, duplicates included; malformed escapes are reported and skipped. */
    List<Setting> read(String text) {
        // Exactly the natural line ends of Properties (\n, \r, \r\n), without a regular expression:
        // splitting with one was nearly half the cost of loading a small file.
        String[] lines = text.lines().toArray(String[]::new);
        List<Setting> settings = new ArrayList<>();
        int i = 0;
        while (i < lines.length) {
            int first = i;
            String line = stripBlanks(lines[i++]);
            if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == '!') {
                continue;
            }
            // Whether a natural line continues depends on its own trailing backslashes only (what is
            // left of the previous ones is an even run), so each line is counted once: counting the
            // whole logical line again after every append made a long run of backslashes quadratic.
            StringBuilder logical = new StringBuilder(line);
            boolean more = continues(line);
            while (more) {
                logical.setLength(logical.length() - 1);
                String next = i < lines.length ? stripBlanks(lines[i++]) : "";
                logical.append(next);
                more = continues(next);
            }
            split(logical.toString(), new Location(file, first + 1)).ifPresent(settings::add);
        }
        return settings;
    }

    private Optional<Setting> split(String line, Location where) {
        int keyEnd = keyEnd(line);
        int valueStart = valueStart(line, keyEnd);
        String rawKey = line.substring(0, keyEnd);
        try {
            return Optional.of(
                    new Setting(unescape(rawKey), unescape(line.substring(valueStart)), where));
        } catch (IllegalArgumentException e) {
            problems.add(where, rawKey, e.getMessage());
            return Optional.empty();
        }
    }

    /** Index of the first unescaped {@code =}, {@code :} or blank, or the line's length. */
    private static int keyEnd(String line) {
        boolean escaped = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (!escaped && (c == '=' || c == ':' || BLANKS.indexOf(c) >= 0)) {
                return i;
            }
            escaped = c == '\\' && !escaped;
        }
        return line.length();
    }

    /** Skips blanks around at most one {@code =} or {@code :} separator, as Properties does. */
    private static int valueStart(String line, int keyEnd) {
        int i = keyEnd;
        boolean separator = false;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (BLANKS.indexOf(c) < 0) {
                if (separator || (c != '=' && c != ':')) {
                    break;
                }
                separator = true;
            }
            i++;
        }
        return i;
    }

    private static boolean continues(CharSequence line) {
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private static String stripBlanks(String line) {
        int i = 0;
        while (i < line.length() && BLANKS.indexOf(line.charAt(i)) >= 0) {
            i++;
        }
        return line.substring(i);
    }

    static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    out.append(hex4(s, i + 1));
                    i += 4;
                }
                default -> out.append(e);
            }
        }
        return out.toString();
    }

    private static char hex4(String s, int from) {
        if (from + 4 > s.length()) {
            throw new IllegalArgumentException(malformed(s.substring(from)));
        }
        String digits = s.substring(from, from + 4);
        // ASCII only, as Properties: Character.digit also takes fullwidth and other scripts' digits.
        if (!digits.chars().allMatch(c -> c < 128 && Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException(malformed(digits));
        }
        return (char) Integer.parseInt(digits, 16);
    }

    private static String malformed(String digits) {
        return "malformed \\uHHHH escape \"\\u" + digits + "\" (four hex digits expected; write \\\\u for a backslash)";
    }
}

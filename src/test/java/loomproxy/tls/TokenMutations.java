package loomproxy.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Token-level mutation of separated configuration values (cipher strings, proxy_ssl_conf_command
 * values) for the fuzz tests: words from a vocabulary inserted with OpenSSL's operators, tokens
 * deleted, duplicated and swapped, separators changed, the whole string repeated, and characters a
 * configuration file can carry (control characters, non-ASCII, surrogates) put in anywhere.
 */
final class TokenMutations {
    private static final String[] OPERATORS = {"", "", "!", "-", "+"};
    private static final String[] CHARACTERS = {"\u0000", "\n", "\r", "\t", "\u000B", "\u0085", "\u2028", "\u00A0",
            "\u00E9", "\u00DF", "\uFF1A", "\uD83D\uDE00", "\uD800", "\uDC00", "#", "%", "_", "@", "!", "+", "-", "=",
            ".", "\"", "'", "\\", "$", "{", "}"};
    private static final int[] REPEATS = {2, 10, 300, 5_000};
    /** Repeating stops here: long enough to find quadratic work, short enough to keep the suite quick. */
    private static final int LONGEST = 200_000;

    private final String separators;
    private final List<String> joins;
    private final List<String> vocabulary;

    /**
     * @param separators the characters that split tokens, as a regex class body (":, ;")
     * @param joins      what to put between tokens when writing them back
     * @param vocabulary words worth inserting
     */
    TokenMutations(String separators, List<String> joins, List<String> vocabulary) {
        this.separators = separators;
        this.joins = joins;
        this.vocabulary = vocabulary;
    }

    /** One to three stacked mutations of {@code text}. */
    String mutate(SplittableRandom random, String text) {
        String out = text;
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            out = once(random, out);
        }
        return out;
    }

    private String once(SplittableRandom random, String text) {
        List<String> tokens = new ArrayList<>(Arrays.asList(text.split("[" + separators + "]+", -1)));
        int at = random.nextInt(tokens.size() + 1);
        int some = random.nextInt(tokens.size());
        switch (random.nextInt(10)) {
            case 0, 1 -> tokens.add(at, word(random));
            case 2 -> tokens.remove(some);
            case 3 -> tokens.add(at, tokens.get(some));
            case 4 -> Collections.swap(tokens, some, random.nextInt(tokens.size()));
            case 5 -> tokens.set(some, OPERATORS[random.nextInt(OPERATORS.length)] + tokens.get(some));
            case 6 -> tokens.set(some, tokens.get(some) + "+" + word(random));
            case 7 -> {
                String unit = text + join(random);
                int times = REPEATS[random.nextInt(random.nextInt(4) > 0 ? 3 : 4)];
                return unit.repeat(Math.max(1, Math.min(times, LONGEST / Math.max(1, unit.length()))));
            }
            case 8 -> {
                return insert(random, text, CHARACTERS[random.nextInt(CHARACTERS.length)]);
            }
            default -> {
                return characters(random, text);
            }
        }
        return join(random, tokens);
    }

    /** A vocabulary word behind an operator, or two joined by '+'. */
    String word(SplittableRandom random) {
        String word = OPERATORS[random.nextInt(OPERATORS.length)] + vocabulary.get(random.nextInt(vocabulary.size()));
        return random.nextInt(6) == 0 ? word + "+" + vocabulary.get(random.nextInt(vocabulary.size())) : word;
    }

    String join(SplittableRandom random, List<String> tokens) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            out.append(i == 0 ? "" : join(random)).append(tokens.get(i));
        }
        return out.toString();
    }

    private String join(SplittableRandom random) {
        return joins.get(random.nextInt(joins.size()));
    }

    /** A character deleted, doubled or its case flipped. */
    private static String characters(SplittableRandom random, String text) {
        if (text.isEmpty()) {
            return text;
        }
        int at = random.nextInt(text.length());
        char c = text.charAt(at);
        return switch (random.nextInt(3)) {
            case 0 -> text.substring(0, at) + text.substring(at + 1);
            case 1 -> text.substring(0, at) + c + text.substring(at);
            default -> text.substring(0, at) + (Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c))
                    + text.substring(at + 1);
        };
    }

    private static String insert(SplittableRandom random, String text, String extra) {
        int at = random.nextInt(text.length() + 1);
        return text.substring(0, at) + extra + text.substring(at);
    }
}

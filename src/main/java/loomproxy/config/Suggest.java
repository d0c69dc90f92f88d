package loomproxy.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * The nearest known key for a misspelt or shortened one, so "unknown directive" also says what to
 * write. Three ways a key goes wrong, tried in this order, each ignoring case:
 * <ol>
 * <li>shortened: each of its words begins a word of the key, in order ({@code proxy_ssl_cert},
 *     {@code ssl_protocols}); the key with the fewest other words wins;</li>
 * <li>misspelt: a few edits away ({@code proxy_ssl_verfy}; two letters swapped count as one edit);</li>
 * <li>one word replaced by another with the same first letter ({@code proxy_ssl_trusted_ca}).</li>
 * </ol>
 * A shortened or replaced word that fits two keys equally well gets no suggestion rather than a guess.
 */
final class Suggest {
    private static final int NO_MATCH = Integer.MAX_VALUE;

    private Suggest() {}

    static Optional<String> nearest(String word, Collection<String> candidates) {
        String w = word.toLowerCase(Locale.ROOT);
        List<String> words = words(w);
        return unique(candidates, c -> shortened(words, words(c)))
                .or(() -> misspelt(w, candidates))
                .or(() -> unique(candidates, c -> oneWordReplaced(words, words(c))));
    }

    /**
     * The closest candidate within a third of the word's length (at least 1, at most 3 edits); a
     * far-off word gets no suggestion rather than a misleading one.
     */
    private static Optional<String> misspelt(String w, Collection<String> candidates) {
        int limit = Math.max(1, Math.min(3, w.length() / 3));
        // The distance is at least the difference in length; skipping those keeps a key of a million
        // characters from costing a million-by-thirty table per known key.
        return candidates.stream()
                .filter(c -> Math.abs(c.length() - w.length()) <= limit)
                .filter(c -> distance(w, c.toLowerCase(Locale.ROOT)) <= limit)
                .min(Comparator.comparingInt(c -> distance(w, c.toLowerCase(Locale.ROOT))));
    }

    /** The candidate with the lowest score, if no other has it too. */
    private static Optional<String> unique(Collection<String> candidates, ToIntFunction<String> score) {
        Optional<String> best = Optional.empty();
        int bestScore = NO_MATCH;
        boolean tie = false;
        for (String c : candidates) {
            int s = score.applyAsInt(c);
            if (s < bestScore) {
                best = Optional.of(c);
                bestScore = s;
                tie = false;
            } else if (s == bestScore && s != NO_MATCH) {
                tie = true;
            }
        }
        return tie ? Optional.empty() : best;
    }

    /** How many words of the key are left over once each word begins one of them, in order. */
    private static int shortened(List<String> words, List<String> key) {
        if (words.size() > key.size()) {
            return NO_MATCH;
        }
        int matched = 0;
        for (String k : key) {
            if (matched < words.size() && k.startsWith(words.get(matched))) {
                matched++;
            }
        }
        return matched == words.size() ? key.size() - words.size() : NO_MATCH;
    }

    /** 0 when exactly one word of several differs from the key's, and starts with the same letter. */
    private static int oneWordReplaced(List<String> words, List<String> key) {
        if (words.size() < 2 || words.size() != key.size()) {
            return NO_MATCH;
        }
        int differing = 0;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String k = key.get(i);
            if (!w.equals(k)) {
                differing++;
                if (w.isEmpty() || k.isEmpty() || w.charAt(0) != k.charAt(0)) {
                    return NO_MATCH;
                }
            }
        }
        return differing == 1 ? 0 : NO_MATCH;
    }

    private static List<String> words(String key) {
        return List.of(key.toLowerCase(Locale.ROOT).split("_", -1));
    }

    /**
     * Optimal string alignment distance (Levenshtein, plus a swap of two adjacent letters as one
     * edit, the commonest typo: mian for main), with three rolling rows.
     */
    static int distance(String a, String b) {
        int[] before = new int[b.length() + 1];
        int[] previous = new int[b.length() + 1];
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] spare = before;
            before = previous;
            previous = row;
            row = spare;
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                row[j] = Math.min(substitute, Math.min(previous[j], row[j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    row[j] = Math.min(row[j], before[j - 2] + 1);
                }
            }
        }
        return row[b.length()];
    }
}

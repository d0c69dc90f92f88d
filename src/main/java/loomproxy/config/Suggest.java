package loomproxy.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** The nearest known key for a misspelt one, by edit distance, so "unknown directive" also says what to write. */
final class Suggest {
    private Suggest() {}

    /**
     * The closest candidate within a third of the word's length (at least 1, at most 3 edits), ignoring
     * case; a far-off word gets no suggestion rather than a misleading one.
     */
    static Optional<String> nearest(String word, Collection<String> candidates) {
        int limit = Math.max(1, Math.min(3, word.length() / 3));
        String w = word.toLowerCase(Locale.ROOT);
        // The distance is at least the difference in length; skipping those keeps a key of a million
        // characters from costing a million-by-thirty table per known key.
        return candidates.stream()
                .filter(c -> Math.abs(c.length() - w.length()) <= limit)
                .filter(c -> distance(w, c.toLowerCase(Locale.ROOT)) <= limit)
                .min(Comparator.comparingInt(c -> distance(w, c.toLowerCase(Locale.ROOT))));
    }

    /** Levenshtein distance with one rolling row. */
    static int distance(String a, String b) {
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int above = row[j];
                int substitute = diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                row[j] = Math.min(substitute, Math.min(above, row[j - 1]) + 1);
                diagonal = above;
            }
        }
        return row[b.length()];
    }
}

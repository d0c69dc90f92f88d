package loomproxy.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects every configuration error before anything binds, so a user fixes all of them in one
 * round instead of one per restart. Warnings (a setting the JDK's policy overrides, say) are kept
 * apart: they are printed but do not stop the start. Both are listed in file order, as a compiler
 * lists them.
 */
public final class Problems {
    /** By line; stable, so the problems of one line keep the order they were found in. */
    private static final Comparator<Problem> FILE_ORDER = Comparator.comparingInt(p -> p.where().line());

    /** In the order found; a set, so the same problem found twice is kept once (see {@link #add}). */
    private final Set<Problem> errors = new LinkedHashSet<>();
    private final List<Problem> warnings = new ArrayList<>();
    private final Set<String> explained = new HashSet<>();

    /**
     * An error; the same one twice (same file, line, key and message) is kept once: a top-level
     * setting inherited by several server blocks is checked once per block, but it is one line to fix.
     */
    public void add(Location where, String key, String message) {
        errors.add(new Problem(where, key, message));
    }

    void add(Problem problem) {
        errors.add(problem);
    }

    /**
     * A warning; the same one twice is kept once (a top-level setting inherited by several server
     * blocks is checked once per block).
     */
    public void warn(Location where, String key, String message) {
        Problem warning = new Problem(where, key, message);
        if (!warnings.contains(warning)) {
            warnings.add(warning);
        }
    }

    /** True the first time a topic is asked about: an explanation is given once per file, not once per line. */
    boolean firstTime(String topic) {
        return explained.add(topic);
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<Problem> list() {
        return errors.stream().sorted(FILE_ORDER).toList();
    }

    public List<Problem> warnings() {
        return warnings.stream().sorted(FILE_ORDER).toList();
    }

    public void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            throw new ConfigException(list());
        }
    }
}

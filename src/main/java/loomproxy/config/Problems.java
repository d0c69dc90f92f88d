package loomproxy.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every configuration error before anything binds, so a user fixes all of them in one
 * round instead of one per restart. Warnings (a setting the JDK's policy overrides, say) are kept
 * apart: they are printed but do not stop the start.
 */
public final class Problems {
    private final List<Problem> errors = new ArrayList<>();
    private final List<Problem> warnings = new ArrayList<>();

    public void add(Location where, String key, String message) {
        errors.add(new Problem(where, key, message));
    }

    public void warn(Location where, String key, String message) {
        warnings.add(new Problem(where, key, message));
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<Problem> list() {
        return List.copyOf(errors);
    }

    public List<Problem> warnings() {
        return List.copyOf(warnings);
    }

    public void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }
}

package loomproxy.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every configuration error before anything binds, so a user fixes all of them in one
 * round instead of one per restart.
 */
public final class Problems {
    private final List<Problem> list = new ArrayList<>();

    public void add(Location where, String key, String message) {
        list.add(new Problem(where, key, message));
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<Problem> list() {
        return List.copyOf(list);
    }

    public void throwIfAny() throws ConfigException {
        if (!list.isEmpty()) {
            throw new ConfigException(list);
        }
    }
}

package loomproxy.config;

import java.util.List;
import java.util.Map;

/**
 * Where each key of a server block was set (its own line, or the inherited top-level line), so
 * that checks done after parsing (files, keys, cipher strings) still report {@code FILE:LINE}.
 * A key that was not set reports the block's first line. A key that may repeat
 * ({@code proxy_ssl_conf_command}, {@code allow}, {@code deny}) also keeps the line of each of its
 * values, in the order of the values, so a check of one value names that value's line.
 */
public record Sources(Map<String, Location> byKey, Map<String, List<Location>> repeats, Location block,
                      Map<String, String> written) {
    public Location of(String key) {
        return byKey.getOrDefault(key, block);
    }

    /**
     * The key as its line has it, for messages: {@code server.main.proxy_ssl_certificate} where the
     * block sets it, {@code proxy_ssl_certificate} where it is inherited or not set.
     */
    public String key(String key) {
        return written.getOrDefault(key, key);
    }

    /** The line of the key's {@code index}-th value (0 is the first); {@link #of(String)} for a key set once. */
    public Location of(String key, int index) {
        List<Location> lines = repeats.getOrDefault(key, List.of());
        return index < lines.size() ? lines.get(index) : of(key);
    }
}

package loomproxy.config;

import java.util.Map;

/**
 * Where each key of a server block was set (its own line, or the inherited top-level line), so
 * that checks done after parsing (files, keys, cipher strings) still report {@code FILE:LINE}.
 * A key that was not set reports the block's first line.
 */
public record Sources(Map<String, Location> byKey, Location block) {
    public Location of(String key) {
        return byKey.getOrDefault(key, block);
    }
}

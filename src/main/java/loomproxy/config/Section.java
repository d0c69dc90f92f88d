package loomproxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of one section of the file (the top level, one {@code server.NAME}, one {@code upstream.NAME} or
 * {@code log_format.NAME}), each parsed once where it is written, so an invalid inherited value is
 * reported at its own line exactly once however many server blocks inherit it.
 */
final class Section {
    private final Path dir;
    private final Problems problems;
    private final Map<Directive<?>, Setting> first = new HashMap<>();
    private final Map<Directive<?>, Object> values = new HashMap<>();
    /** Every valid setting of a key, in file order: more than one only for a repeatable key. */
    private final Map<Directive<?>, List<Setting>> valid = new HashMap<>();
    private Location start;

    Section(Path dir, Problems problems) {
        this.dir = dir;
        this.problems = problems;
    }

    /** Records a setting; a repeated key is an error except where NGINX allows repeats. */
    void add(Directive<?> d, Setting s) {
        if (start == null) {
            start = s.where();
        }
        Setting earlier = first.putIfAbsent(d, s);
        if (earlier != null && !d.repeatable()) {
            problems.add(s.where(), s.key(), "duplicate key, first set at " + earlier.where());
            return;
        }
        if (Semicolons.trailing(s.value())) {
            problems.add(s.where(), s.key(), "invalid value \"" + s.value().strip() + "\"" + Semicolons.advice(problems));
            return;
        }
        try {
            Object parsed = d.parse(s.value(), dir);
            values.merge(d, parsed, Section::append);
            valid.computeIfAbsent(d, k -> new ArrayList<>()).add(s);
        } catch (InvalidValueException e) {
            problems.add(s.where(), s.key(), e.getMessage());
        }
    }

    private static Object append(Object earlier, Object later) {
        List<Object> all = new ArrayList<>((List<?>) earlier);
        all.addAll((List<?>) later);
        return List.copyOf(all);
    }

    /** The first line of this scope in the file. */
    Location start() {
        return start;
    }

    /** Where each key of this scope was set; unset keys point at {@code fallback}. */
    Sources sources(Location fallback) {
        java.util.Map<String, Location> byKey = new java.util.LinkedHashMap<>();
        java.util.Map<String, List<Location>> repeats = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> written = new java.util.LinkedHashMap<>();
        first.forEach((d, s) -> {
            byKey.put(d.name(), s.where());
            written.put(d.name(), s.key());
        });
        valid.forEach((d, settings) -> repeats.put(d.name(), lines(settings)));
        return new Sources(java.util.Map.copyOf(byKey), java.util.Map.copyOf(repeats), start != null ? start : fallback,
                java.util.Map.copyOf(written));
    }

    /** Where each of {@code settings} is, in the same order. */
    static List<Location> lines(List<Setting> settings) {
        return settings.stream().map(Setting::where).toList();
    }

    boolean has(Directive<?> d) {
        return first.containsKey(d);
    }

    /** The first setting of the key, as written. */
    Optional<Setting> setting(Directive<?> d) {
        return Optional.ofNullable(first.get(d));
    }

    /** Every valid setting of the key in file order (several only for {@code proxy_ssl_conf_command}). */
    List<Setting> settings(Directive<?> d) {
        return List.copyOf(valid.getOrDefault(d, List.of()));
    }

    /**
     * The parsed value; empty when the key is absent or its value was invalid (and reported). The cast
     * is safe: {@link #add} stores only what {@code d.parse} returned, which is a {@code T}.
     */
    @SuppressWarnings("unchecked")
    <T> Optional<T> value(Directive<T> d) {
        return Optional.ofNullable((T) values.get(d));
    }
}

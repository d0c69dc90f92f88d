package loomproxy.testkit;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import loomproxy.config.LogLevel;
import loomproxy.observe.ErrorLog;

/** Collects log lines (error or access log) so tests assert on what a user would read. */
public final class RecordingLog {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    public ErrorLog errorLog() {
        return new ErrorLog(this::add, LogLevel.DEBUG, Clock.systemDefaultZone());
    }

    public void add(String line) {
        lines.add(line);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public List<String> matching(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).toList();
    }

    /** Waits (bounded) for a line containing every fragment and returns it. */
    public String await(String... fragments) {
        Predicate<String> all = l -> {
            for (String f : fragments) {
                if (!l.contains(f)) {
                    return false;
                }
            }
            return true;
        };
        Wait.until(() -> lines.stream().anyMatch(all), Duration.ofSeconds(20),
                () -> "no log line with " + List.of(fragments) + " in:\n" + String.join("\n", lines));
        return lines.stream().filter(all).findFirst().orElseThrow();
    }
}

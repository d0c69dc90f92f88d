package loomproxy.upstream;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock that moves only when a test says so. */
final class TestClock implements InstantSource {
    private volatile Instant now = Instant.parse("2026-11-28T18:00:00Z");

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration by) {
        now = now.plus(by);
    }
}

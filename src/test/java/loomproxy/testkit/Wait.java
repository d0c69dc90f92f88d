package loomproxy.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling of a condition: tests wait for what they need, never for a guessed time. */
public final class Wait {
    private Wait() {
    }

    public static void until(BooleanSupplier condition, Duration limit, Supplier<String> failure) {
        until(condition, limit, Duration.ofMillis(2), failure);
    }

    /**
     * As {@link #until(BooleanSupplier, Duration, Supplier)}, looking at most every {@code every}: for
     * a condition that is costly or risky to evaluate, such as a JDK thread dump with many virtual
     * threads (JDK 25.0.3 crashed once in ThreadSnapshot while a test polled one every 2 ms).
     */
    public static void until(BooleanSupplier condition, Duration limit, Duration every, Supplier<String> failure) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            Thread.onSpinWait();
            Thread.yield();
            java.util.concurrent.locks.LockSupport.parkNanos(every.toNanos());
        }
    }
}

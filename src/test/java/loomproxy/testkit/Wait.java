package loomproxy.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling of a condition: tests wait for what they need, never for a guessed time. */
public final class Wait {
    private Wait() {
    }

    public static void until(BooleanSupplier condition, Duration limit, Supplier<String> failure) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            Thread.onSpinWait();
            Thread.yield();
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
    }
}

package dev.vista.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for something observable to become true (a backend waiting on a lock, a row committed), checking every few
 * milliseconds, and fails with a description after a generous deadline. Tests wait for evidence, never for time.
 */
public final class Await {

    private Await() {
    }

    public static void until(String what, BooleanSupplier condition) {
        until(what, Duration.ofSeconds(30), condition);
    }

    public static void until(String what, Duration deadline, BooleanSupplier condition) {
        var end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("gave up after " + deadline.toSeconds() + " s waiting for: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }
}

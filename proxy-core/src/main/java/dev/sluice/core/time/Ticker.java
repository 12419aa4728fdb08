package dev.sluice.core.time;

/**
 * A source of monotonic nanoseconds. Everything time-dependent reads time from a ticker that it is
 * given (or takes {@code nowNanos} as an argument), so tests drive time instead of sleeping.
 * Implementations must be thread-safe; values are only meaningful as differences.
 */
@FunctionalInterface
public interface Ticker {

    /** The system's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}

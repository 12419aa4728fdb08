package dev.sluice.core.ratelimit;

/**
 * The global in-flight limit. {@link #tryAcquire} before any work; exactly one {@link #release} for
 * each success. Thread-safe; called from every event loop.
 */
public interface InFlightLimiter {

    boolean tryAcquire();

    /** Ends one admitted request that took {@code latencyNanos} from admission to its last response byte. */
    void release(long latencyNanos);

    /** Requests admitted and not released. */
    int inFlight();

    /** The current limit. */
    int limit();
}

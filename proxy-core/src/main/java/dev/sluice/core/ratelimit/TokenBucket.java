package dev.sluice.core.ratelimit;

/** A token bucket. Thread-safe and lock-free; time is passed in, never read. */
public interface TokenBucket {

    /** Takes one token if there is one at {@code nowNanos}. */
    boolean tryAcquire(long nowNanos);
}

package dev.sluice.core.ratelimit;

/** Token buckets by key (client IP, partition). Thread-safe; called from every event loop. */
public interface RateLimiter {

    /** Takes a token from {@code key}'s bucket; the verdict and header values go into {@code out}. */
    boolean tryAcquire(String key, long nowNanos, Decision out);
}

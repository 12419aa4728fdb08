package dev.sluice.core.ratelimit;

import dev.sluice.core.internal.Limits;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed in-flight limit: one atomic counter, compare-and-set up to the limit. A reload that
 * changes the limit builds a successor on the same counter, so requests admitted before it still
 * count and release exactly once.
 */
public class FixedLimiter implements InFlightLimiter {

    private final AtomicInteger inFlight;
    private final int max;

    public FixedLimiter(int max) {
        this(max, new AtomicInteger());
    }

    /** @param inFlight the count to share with the limiter this one replaces */
    public FixedLimiter(int max, AtomicInteger inFlight) {
        this.max = max;
        this.inFlight = inFlight;
    }

    /** The in-flight count, for a successor limiter. */
    public final AtomicInteger count() {
        return inFlight;
    }

    @Override
    public boolean tryAcquire() {
        return Limits.incrementBelow(inFlight, limit());
    }

    @Override
    public void release(long latencyNanos) {
        inFlight.decrementAndGet();
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public int limit() {
        return max;
    }
}

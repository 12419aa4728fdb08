package dev.sluice.core.ratelimit;

import dev.sluice.core.internal.Limits;
import java.util.concurrent.atomic.AtomicInteger;

/** A fixed in-flight limit: one atomic counter, compare-and-set up to the limit. */
public class FixedLimiter implements InFlightLimiter {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final int max;

    public FixedLimiter(int max) {
        this.max = max;
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

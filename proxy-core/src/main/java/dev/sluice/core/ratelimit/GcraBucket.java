package dev.sluice.core.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket as the generic cell rate algorithm (GCRA): the whole state is one timestamp, the
 * theoretical arrival time (TAT) at which the bucket would be full again, packed in one
 * {@link AtomicLong} and advanced by compare-and-set. A token costs {@code emission} nanoseconds;
 * a request is admitted while {@code max(TAT, now) + emission - now <= burst x emission}. The
 * result is exact to the token: {@code burst} requests at once, then one per {@code emission}.
 * All comparisons use differences of readings, so they hold across {@code nanoTime} overflow.
 */
public final class GcraBucket implements TokenBucket {

    private final long emissionNanos;
    private final long capacityNanos;
    private final int burst;
    private final AtomicLong tat;

    /**
     * A full bucket at {@code nowNanos}, and at any reading up to one refill earlier: a caller that
     * read the clock just before the bucket was made still finds it full.
     */
    public GcraBucket(double perSecond, int burst, long nowNanos) {
        if (perSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate: " + perSecond + "/s, burst: " + burst + " (expected: > 0)");
        }
        this.emissionNanos = Math.max(1, Math.round(1e9 / perSecond));
        this.burst = burst;
        this.capacityNanos = emissionNanos * burst;
        this.tat = new AtomicLong(nowNanos - capacityNanos);
    }

    @Override
    public boolean tryAcquire(long nowNanos) {
        for (;;) {
            long t = tat.get();
            long base = t - nowNanos > 0 ? t : nowNanos;
            long next = base + emissionNanos;
            if (next - nowNanos > capacityNanos) {
                return false;
            }
            if (tat.compareAndSet(t, next)) {
                return true;
            }
        }
    }

    public int burst() {
        return burst;
    }

    /** Whole tokens left at {@code nowNanos}. */
    public int remaining(long nowNanos) {
        long used = Math.max(0, tat.get() - nowNanos);
        return (int) Math.max(0, (capacityNanos - used) / emissionNanos);
    }

    /** Time until the next token is available (0 when one is). */
    public long nanosUntilToken(long nowNanos) {
        return Math.max(0, tat.get() + emissionNanos - nowNanos - capacityNanos);
    }

    /** Time until the bucket is full again. */
    public long nanosUntilFull(long nowNanos) {
        return Math.max(0, tat.get() - nowNanos);
    }

    /** Time an empty bucket takes to fill: how long an idle bucket must be kept before forgetting it is safe. */
    public long refillNanos() {
        return capacityNanos;
    }
}

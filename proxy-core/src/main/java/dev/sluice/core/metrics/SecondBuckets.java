package dev.sluice.core.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts per one-second bucket over a ring of {@code seconds} buckets, for several series at once
 * (requests and errors, say), lock-free. The first writer in a new second claims its bucket by
 * compare-and-set and zeroes it; a count racing that reset may be lost, which a rate or a budget
 * can afford. Time is passed in, as monotonic nanoseconds.
 */
public final class SecondBuckets {

    private final int seconds;
    private final AtomicLongArray epoch;
    private final AtomicLongArray[] series;

    public SecondBuckets(int seconds, int seriesCount) {
        this.seconds = seconds;
        this.epoch = new AtomicLongArray(seconds);
        for (int i = 0; i < seconds; i++) {
            epoch.set(i, Long.MIN_VALUE);
        }
        this.series = new AtomicLongArray[seriesCount];
        for (int s = 0; s < seriesCount; s++) {
            series[s] = new AtomicLongArray(seconds);
        }
    }

    /** Adds one to {@code series} in the bucket of {@code nowNanos}. */
    public void increment(int seriesIndex, long nowNanos) {
        series[seriesIndex].incrementAndGet(bucket(nowNanos));
    }

    /**
     * The sum of {@code series} over buckets whose age in whole seconds before {@code nowNanos} is
     * within {@code [minAge, maxAge]}: 0..9 is the last ten seconds including this one, 1..10 the
     * last ten complete seconds.
     */
    public long sum(int seriesIndex, long nowNanos, int minAge, int maxAge) {
        long now = Math.floorDiv(nowNanos, 1_000_000_000L);
        long total = 0;
        for (int i = 0; i < seconds; i++) {
            long age = now - epoch.get(i);
            if (age >= minAge && age <= maxAge) {
                total += series[seriesIndex].get(i);
            }
        }
        return total;
    }

    private int bucket(long nowNanos) {
        long s = Math.floorDiv(nowNanos, 1_000_000_000L);
        int i = (int) Math.floorMod(s, (long) seconds);
        long e = epoch.get(i);
        if (e != s && epoch.compareAndSet(i, e, s)) {
            for (AtomicLongArray a : series) {
                a.set(i, 0);
            }
        }
        return i;
    }
}

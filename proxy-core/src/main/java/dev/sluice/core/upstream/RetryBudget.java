package dev.sluice.core.upstream;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Retries may not exceed {@code percent} of a cluster's requests over the last 10 seconds (and at
 * least one retry is allowed per window, so a quiet cluster can still retry). Counts live in ten
 * one-second buckets of atomics, so recording a request is lock-free; a bucket is reset by the first
 * thread to notice its second has passed (a count racing that reset may be lost: the budget is a
 * bound on load, not a ledger). Time is passed in.
 */
public final class RetryBudget {

    static final int SECONDS = 10;

    private final int percent;
    private final AtomicLongArray epoch = new AtomicLongArray(SECONDS);
    private final AtomicLongArray requests = new AtomicLongArray(SECONDS);
    private final AtomicLongArray retries = new AtomicLongArray(SECONDS);

    public RetryBudget(int percent) {
        this.percent = percent;
        for (int i = 0; i < SECONDS; i++) {
            epoch.set(i, Long.MIN_VALUE);
        }
    }

    public void recordRequest(long nowNanos) {
        requests.incrementAndGet(bucket(nowNanos));
    }

    /** Takes one retry from the budget if the window allows it. */
    public boolean tryAcquireRetry(long nowNanos) {
        int b = bucket(nowNanos);
        long second = Math.floorDiv(nowNanos, 1_000_000_000L);
        long req = 0;
        long ret = 0;
        for (int i = 0; i < SECONDS; i++) {
            if (second - epoch.get(i) < SECONDS) {
                req += requests.get(i);
                ret += retries.get(i);
            }
        }
        if (percent == 0 || (ret + 1) * 100 > Math.max(100, (long) percent * req)) {
            return false;
        }
        retries.incrementAndGet(b);
        return true;
    }

    private int bucket(long nowNanos) {
        long second = Math.floorDiv(nowNanos, 1_000_000_000L);
        int i = (int) Math.floorMod(second, (long) SECONDS);
        long e = epoch.get(i);
        if (e != second && epoch.compareAndSet(i, e, second)) {
            requests.set(i, 0);
            retries.set(i, 0);
        }
        return i;
    }
}

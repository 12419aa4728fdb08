package dev.sluice.core.upstream;

import dev.sluice.core.metrics.SecondBuckets;

/**
 * Retries may not exceed {@code percent} of a cluster's requests over the last 10 seconds (and at
 * least one retry is allowed per window, so a quiet cluster can still retry). Counts live in ten
 * one-second {@link SecondBuckets}, so recording a request is lock-free (a count racing a bucket's
 * reset may be lost: the budget is a bound on load, not a ledger). Time is passed in.
 */
public final class RetryBudget {

    static final int SECONDS = 10;
    private static final int REQUESTS = 0;
    private static final int RETRIES = 1;

    private final int percent;
    private final SecondBuckets window = new SecondBuckets(SECONDS, 2);

    public RetryBudget(int percent) {
        this.percent = percent;
    }

    public void recordRequest(long nowNanos) {
        window.increment(REQUESTS, nowNanos);
    }

    /** Takes one retry from the budget if the window allows it. */
    public boolean tryAcquireRetry(long nowNanos) {
        long req = window.sum(REQUESTS, nowNanos, 0, SECONDS - 1);
        long ret = window.sum(RETRIES, nowNanos, 0, SECONDS - 1);
        if (percent == 0 || (ret + 1) * 100 > Math.max(100, (long) percent * req)) {
            return false;
        }
        window.increment(RETRIES, nowNanos);
        return true;
    }
}

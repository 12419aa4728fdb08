package dev.sluice.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    private static final long MS = 1_000_000L;

    /** Every request fails and wants a retry: over a minute, retries stay at 20% of requests. */
    @Test
    void underTotalFailureRetriesStayWithinTheBudget() {
        RetryBudget budget = new RetryBudget(20);
        long now = Long.MAX_VALUE - 30_000 * MS; // crosses Long.MAX_VALUE halfway
        int requests = 0;
        int retries = 0;
        int maxInAnyWindow = 0;
        int[] perSecond = new int[60];
        for (int ms = 0; ms < 60_000; ms += 5) { // 200 requests a second for a minute
            long t = now + ms * MS;
            budget.recordRequest(t);
            requests++;
            if (budget.tryAcquireRetry(t)) {
                retries++;
                perSecond[ms / 1000]++;
            }
        }
        for (int s = 9; s < 60; s++) {
            int window = 0;
            for (int k = s - 9; k <= s; k++) {
                window += perSecond[k];
            }
            maxInAnyWindow = Math.max(maxInAnyWindow, window);
        }
        assertTrue(retries <= 0.2 * requests + 1, retries + " retries for " + requests + " requests");
        assertTrue(retries >= 0.19 * requests, "the budget should be used, got " + retries);
        assertTrue(maxInAnyWindow <= 0.2 * 2000 + 1, "a 10 s window held " + maxInAnyWindow);
    }

    @Test
    void aQuietClusterMayStillRetryOncePerWindow() {
        RetryBudget budget = new RetryBudget(20);
        budget.recordRequest(0);
        assertTrue(budget.tryAcquireRetry(0));
        assertFalse(budget.tryAcquireRetry(1));
        assertTrue(budget.tryAcquireRetry(11_000 * MS), "a new window");
        assertFalse(new RetryBudget(0).tryAcquireRetry(0), "0% means never");
    }

    @Test
    void backoffCapGrowsExponentiallyUpToMax() {
        long base = 100 * MS;
        long max = 5_000 * MS;
        assertEquals(100 * MS, Backoff.capNanos(base, max, 1));
        assertEquals(200 * MS, Backoff.capNanos(base, max, 2));
        assertEquals(400 * MS, Backoff.capNanos(base, max, 3));
        assertEquals(3_200 * MS, Backoff.capNanos(base, max, 6));
        assertEquals(5_000 * MS, Backoff.capNanos(base, max, 7));
        assertEquals(5_000 * MS, Backoff.capNanos(base, max, 500));
        SplittableRandom r = new SplittableRandom(1);
        for (int n = 1; n < 12; n++) {
            long cap = Backoff.capNanos(base, max, n);
            for (int i = 0; i < 1000; i++) {
                long d = r.nextLong(cap + 1);
                assertTrue(d >= 0 && d <= cap && d <= max);
            }
        }
    }
}

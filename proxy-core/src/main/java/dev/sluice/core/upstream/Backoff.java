package dev.sluice.core.upstream;

/**
 * Exponential backoff with full jitter (the AWS architecture blog's variant): before retry n (1 for
 * the first), wait a uniform random time in {@code [0, min(max, base x 2^(n-1))]}.
 */
public final class Backoff {

    private Backoff() {
    }

    /** The upper bound of the wait before retry {@code n} (1-based). */
    public static long capNanos(long baseNanos, long maxNanos, int n) {
        int shift = Math.min(40, Math.max(0, n - 1));
        long grown = baseNanos > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : baseNanos << shift;
        return Math.max(0, Math.min(maxNanos, grown));
    }
}

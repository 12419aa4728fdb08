package dev.sluice.core.ratelimit;

/**
 * What a limiter decided for one request, with what the {@code RateLimit-*} headers report. Mutable
 * and reused per channel so a decision allocates nothing. Event-loop confined.
 */
public final class Decision {

    private boolean allowed;
    private int limit;
    private int remaining;
    private long retryAfterNanos;
    private long resetNanos;
    private boolean present;

    void set(boolean allowed, GcraBucket bucket, long nowNanos) {
        this.allowed = allowed;
        this.limit = bucket.burst();
        this.remaining = bucket.remaining(nowNanos);
        this.retryAfterNanos = bucket.nanosUntilToken(nowNanos);
        this.resetNanos = bucket.nanosUntilFull(nowNanos);
        this.present = true;
    }

    /** A decision made elsewhere (a shared store's lease): the verdict and what the headers report. */
    public void set(boolean allowed, int limit, int remaining, long retryAfterNanos, long resetNanos) {
        this.allowed = allowed;
        this.limit = limit;
        this.remaining = remaining;
        this.retryAfterNanos = retryAfterNanos;
        this.resetNanos = resetNanos;
        this.present = true;
    }

    /** Forgets the previous request's decision. */
    public void clear() {
        present = false;
    }

    /** Whether a limiter decided this request. */
    public boolean present() {
        return present;
    }

    public boolean allowed() {
        return allowed;
    }

    public int limit() {
        return limit;
    }

    public int remaining() {
        return remaining;
    }

    /** Whole seconds until a token, at least 1 (for {@code Retry-After}). */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L);
    }

    /** Whole seconds until the bucket is full (for {@code RateLimit-Reset}). */
    public long resetSeconds() {
        return (resetNanos + 999_999_999L) / 1_000_000_000L;
    }
}

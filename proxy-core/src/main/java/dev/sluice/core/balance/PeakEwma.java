package dev.sluice.core.balance;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's peak-EWMA latency estimate (Finagle's and Linkerd's): a sample slower than the
 * estimate replaces it at once; a faster one pulls it down with weight {@code 1 - exp(-dt/decay)},
 * where {@code dt} is the time since the last sample; between samples the cluster's refresh decays
 * it towards zero the same way ({@link #age}), so a node that was slow once is tried again later.
 *
 * <p>Threading: lock-free. Estimate and time stamp live in one {@link AtomicLong} (the estimate as
 * a float in nanoseconds in the high half, the stamp in units of 1,024 ns modulo 2^32 in the low
 * half, taken from the unsigned reading so that a ticker passing {@code Long.MAX_VALUE} is fine),
 * updated by compare-and-set from any event loop. The stamp wraps after 73 minutes; the cluster's
 * refresh {@link #age ages} every estimate several times a second, so no two readings of one
 * estimate are that far apart.
 */
public final class PeakEwma {

    private static final long LOW = 0xffff_ffffL;

    private final double decayUnits;
    private final AtomicLong state;

    /** A node with no sample yet: {@code defaultNanos} as of {@code nowNanos}. */
    public PeakEwma(long defaultNanos, long decayNanos, long nowNanos) {
        if (decayNanos <= 0) {
            throw new IllegalArgumentException("decayNanos: " + decayNanos + " (expected: > 0)");
        }
        this.decayUnits = decayNanos / 1024.0;
        this.state = new AtomicLong(pack(defaultNanos, nowNanos));
    }

    /** A response arrived {@code rttNanos} after its request was sent. */
    public void observe(long nowNanos, long rttNanos) {
        update(nowNanos, rttNanos, false);
    }

    /** A failure after {@code rttNanos}: it can raise the estimate, never lower it (a fast error is not a fast node). */
    public void observeFailure(long nowNanos, long rttNanos) {
        update(nowNanos, rttNanos, true);
    }

    /** Decays the estimate to {@code nowNanos} without a sample; the cluster's refresh calls it. */
    public void age(long nowNanos) {
        update(nowNanos, 0, false);
    }

    /**
     * The estimate in nanoseconds as of the last sample or {@link #age}: a plain read, so a pick
     * needs no clock and no {@code exp}; the refresh's ageing keeps it at most one refresh stale.
     */
    public double estimate() {
        return Float.intBitsToFloat((int) (state.get() >>> 32));
    }

    /** Copies {@code other}'s estimate (a reload rebuilt the node). */
    public void inheritFrom(PeakEwma other) {
        state.set(other.state.get());
    }

    private void update(long nowNanos, long rttNanos, boolean peakOnly) {
        long s;
        long next;
        do {
            s = state.get();
            double cost = Float.intBitsToFloat((int) (s >>> 32));
            double updated;
            if (rttNanos > cost) {
                updated = rttNanos;
            } else if (peakOnly) {
                return;
            } else {
                double w = weight(s, nowNanos);
                updated = cost * w + rttNanos * (1 - w);
            }
            next = pack(updated, nowNanos);
        } while (!state.compareAndSet(s, next));
    }

    /** {@code exp(-dt/decay)} for the time since the stamp in {@code s}. */
    private double weight(long s, long nowNanos) {
        long dt = ((nowNanos >>> 10) - s) & LOW;
        return dt == 0 ? 1.0 : Math.exp(-dt / decayUnits);
    }

    private static long pack(double nanos, long nowNanos) {
        return ((long) Float.floatToRawIntBits((float) nanos) << 32) | ((nowNanos >>> 10) & LOW);
    }
}

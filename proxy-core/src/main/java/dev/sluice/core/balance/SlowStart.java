package dev.sluice.core.balance;

import dev.sluice.config.model.SlowStartConfig;

/**
 * The slow-start factor, as Envoy defines it: during {@code window} after a node starts ramping,
 * {@code max(minWeightPercent/100, (elapsed/window)^(1/aggression))}; 1 before and after. Unlike
 * Envoy, elapsed time is not rounded up to one second, so short windows ramp smoothly too.
 */
public final class SlowStart {

    /** {@link dev.sluice.core.upstream.Node#slowStartSince()} of a node that is not ramping. */
    public static final long WARM = Long.MIN_VALUE;

    private SlowStart() {
    }

    /** The factor at {@code nowNanos} for a node ramping since {@code sinceNanos} (or {@link #WARM}). */
    public static double factor(SlowStartConfig c, long sinceNanos, long nowNanos) {
        long window = c.window().toNanos();
        if (sinceNanos == WARM || window <= 0) {
            return 1.0;
        }
        long elapsed = nowNanos - sinceNanos; // overflow-safe difference of monotonic readings
        if (elapsed >= window) {
            return 1.0;
        }
        double t = Math.max(0, elapsed) / (double) window;
        double ramp = c.aggression() == 1.0 ? t : Math.pow(t, 1.0 / c.aggression());
        return Math.max(c.minWeightPercent() / 100.0, ramp);
    }
}

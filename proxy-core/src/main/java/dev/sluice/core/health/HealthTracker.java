package dev.sluice.core.health;

/**
 * Rise/fall hysteresis for one node: it turns unhealthy only after {@code fall} consecutive failed
 * probes and healthy again only after {@code rise} consecutive successes, so a node that flaps
 * every other probe never changes state. Starts healthy. Confined to the thread that probes.
 */
public final class HealthTracker {

    /** What one probe result did. */
    public enum Result {
        /** The state is confirmed. */
        UNCHANGED,
        /** The state flipped with this probe. */
        CHANGED,
        /** A probe disagreed with the state, but not enough of them in a row yet. */
        PENDING
    }

    private final int rise;
    private final int fall;
    private boolean healthy;
    private int streak;

    public HealthTracker(int rise, int fall) {
        this(rise, fall, true);
    }

    /** @param healthy the state to start from (a node carried over by a reload keeps its state) */
    public HealthTracker(int rise, int fall, boolean healthy) {
        this.healthy = healthy;
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise: " + rise + ", fall: " + fall + " (expected: >= 1)");
        }
        this.rise = rise;
        this.fall = fall;
    }

    public Result onProbe(boolean success) {
        if (success == healthy) {
            streak = 0;
            return Result.UNCHANGED;
        }
        streak++;
        if (streak >= (healthy ? fall : rise)) {
            healthy = success;
            streak = 0;
            return Result.CHANGED;
        }
        return Result.PENDING;
    }

    public boolean healthy() {
        return healthy;
    }
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Slow start, as Envoy defines it: during {@code window} after a node joins or recovers, its weight
 * is multiplied by {@code max(minWeightPercent/100, (elapsed/window)^(1/aggression))}.
 */
public record SlowStartConfig(
        @Key(doc = "ramp length for a new or recovered node; 0s = off", value = "30s") Duration window,
        @Key(doc = "weight at the start of the ramp, in percent", value = "10", min = 1, max = 100) int minWeightPercent,
        @Key(doc = "ramp shape: 1 linear, above 1 faster early, below 1 slower early", value = "1.0", min = 0.1, max = 10)
        double aggression,
        @Key(doc = "nodes present when the process starts ramp too (default: they start warm)", value = "false")
        boolean rampOnStart) {

    public SlowStartConfig {
        requireNonNull(window, "window");
    }
}

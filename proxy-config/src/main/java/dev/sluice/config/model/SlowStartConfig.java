package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record SlowStartConfig(
        @Key(doc = "ramp length for a new or recovered node; 0s = off", value = "30s") Duration window,
        @Key(doc = "weight at the start of the ramp, in percent", value = "10", min = 1, max = 100) int minWeightPercent) {

    public SlowStartConfig {
        requireNonNull(window, "window");
    }
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** Global in-flight limit; the adaptive form is described in the README ("Shedding"). */
public record SheddingConfig(
        @Key(doc = "global in-flight requests; above it: 429 at once", value = "4096", min = 1) int maxInFlight,
        @Key(doc = "true: the limit follows observed latency (gradient), bounded by maxInFlight", value = "false") boolean adaptive,
        @Key(doc = "adaptive: the limit never goes below this", value = "16", min = 1) int minInFlight,
        @Key(doc = "adaptive: latency may rise to this times its floor before the limit is cut", value = "1.5", min = 1.0)
        double latencyTolerance,
        @Key(doc = "adaptive: how often the limit is recomputed", value = "100ms") Duration interval) {

    public SheddingConfig {
        requireNonNull(interval, "interval");
    }
}

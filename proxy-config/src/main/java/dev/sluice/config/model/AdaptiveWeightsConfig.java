package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How drr and least-connections move weight away from a node whose recent latency or error rate is
 * well above its peers', and give it back as it recovers (README: "Effective weights").
 */
public record AdaptiveWeightsConfig(
        @Key(doc = "false: effective weight = configured weight x slow start only", value = "true") boolean enabled,
        @Key(doc = "a node slower than this times the peers' median latency loses weight", value = "1.5", min = 1.0)
        double latencyTolerance,
        @Key(doc = "latencies are compared against max(median, this): differences below it never cost weight", value = "5ms")
        Duration latencyFloor,
        @Key(doc = "a node whose error rate exceeds the peers' median by more than this loses weight", value = "0.05", min = 0.0, max = 1.0)
        double errorTolerance,
        @Key(doc = "the least share of its weight a node keeps, so it is still sampled and can recover", value = "0.05", min = 0.001, max = 1.0)
        double minFactor,
        @Key(doc = "half-life of the latency and error averages", value = "5s") Duration halfLife,
        @Key(doc = "how often effective weights are recomputed (off the request path)", value = "250ms") Duration interval) {

    public AdaptiveWeightsConfig {
        requireNonNull(latencyFloor, "latencyFloor");
        requireNonNull(halfLife, "halfLife");
        requireNonNull(interval, "interval");
    }
}

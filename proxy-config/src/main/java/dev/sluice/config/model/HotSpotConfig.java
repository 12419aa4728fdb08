package dev.sluice.config.model;

/** What Sluice does about a hot node (one whose QPS exceeds admin.hotSpotFactor x the cluster mean). */
public record HotSpotConfig(
        @Key(doc = "true: a hot node's effective weight (and its bounded-load cap) is lowered until it cools", value = "false")
        boolean feedback,
        @Key(doc = "the factor a hot node's weight is multiplied by", value = "0.5", min = 0.05, max = 1.0) double weightFactor) {
}

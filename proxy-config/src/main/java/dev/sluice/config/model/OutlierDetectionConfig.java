package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record OutlierDetectionConfig(
        @Key(doc = "consecutive failures (connect, reset, timeout, 5xx) that eject a node", value = "5", min = 1) int consecutiveFailures,
        @Key(doc = "ejection time, times the number of ejections so far", value = "30s") Duration baseEjection,
        @Key(doc = "never eject more than this share of a cluster (one node may always be ejected)", value = "50", min = 0, max = 100)
        int maxEjectedPercent,
        @Key(doc = "the longest one ejection lasts, however often the node was ejected", value = "300s") Duration maxEjection) {

    public OutlierDetectionConfig {
        requireNonNull(baseEjection, "baseEjection");
        requireNonNull(maxEjection, "maxEjection");
    }
}

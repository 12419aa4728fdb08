package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record HealthCheckConfig(
        @Key(doc = "GET this path; 2xx is healthy", value = "/health") String path,
        @Key(doc = "time between checks of one node (jittered by 10%)", value = "2s") Duration interval,
        @Key(doc = "a check that takes longer fails", value = "1s") Duration timeout,
        @Key(doc = "consecutive successes to turn healthy (rise)", value = "2", min = 1) int healthyThreshold,
        @Key(doc = "consecutive failures to turn unhealthy (fall)", value = "3", min = 1) int unhealthyThreshold) {

    public HealthCheckConfig {
        requireNonNull(path, "path");
        requireNonNull(interval, "interval");
        requireNonNull(timeout, "timeout");
    }
}

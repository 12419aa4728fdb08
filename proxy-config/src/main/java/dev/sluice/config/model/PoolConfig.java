package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record PoolConfig(
        @Key(doc = "open upstream connections per node, all event loops together; over it: 503", value = "256", min = 1) int maxConnectionsPerNode,
        @Key(doc = "pooled connections idle this long are closed", value = "60s") Duration idleTimeout) {

    public PoolConfig {
        requireNonNull(idleTimeout, "idleTimeout");
    }
}

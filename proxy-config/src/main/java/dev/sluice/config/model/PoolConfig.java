package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record PoolConfig(
        @Key(doc = "open upstream connections per node, all event loops together; over it: 503", value = "256", min = 1) int maxConnectionsPerNode,
        @Key(doc = "pooled connections idle this long are closed", value = "60s") Duration idleTimeout,
        @Key(doc = "requests that wait per node and event loop for a connection (one being opened, or released) "
                + "when every connection is busy and no other node has room; beyond it: 503 (Envoy's max_pending_requests)",
                value = "1024", min = 0) int maxPending,
        @Key(doc = "the longest a request waits for a connection; then: 503", value = "5s") Duration pendingTimeout) {

    public PoolConfig {
        requireNonNull(idleTimeout, "idleTimeout");
        requireNonNull(pendingTimeout, "pendingTimeout");
    }
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

public record BackendConfig(
        @Key(doc = "host:port of the node", required = true) HostPort address,
        @Key(doc = "relative share of traffic", value = "1", min = 1, max = 10000) int weight) {

    public BackendConfig {
        requireNonNull(address, "address");
    }
}

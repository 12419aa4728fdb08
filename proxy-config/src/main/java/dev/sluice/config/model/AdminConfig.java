package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

public record AdminConfig(
        @Key(doc = "admin address; never a public listener's", value = "127.0.0.1:9901") HostPort bind,
        @Key(doc = "a node is hot when its QPS exceeds the cluster mean times this", value = "1.3", min = 1.0) double hotSpotFactor,
        @Key(doc = "bearer token required on admin POSTs; empty = none", value = "") String token) {

    public AdminConfig {
        requireNonNull(bind, "bind");
        requireNonNull(token, "token");
    }
}

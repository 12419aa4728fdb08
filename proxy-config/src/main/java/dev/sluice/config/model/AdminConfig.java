package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

public record AdminConfig(
        @Key(doc = "admin address; never a public listener's", value = "127.0.0.1:9901") HostPort bind,
        @Key(doc = "a node is hot when its QPS exceeds the cluster mean times this", value = "1.3", min = 1.0) double hotSpotFactor,
        @Key(doc = "bearer token required on admin POSTs; empty = none: then POSTs are taken only from this host", value = "")
        String token,
        @Key(doc = "host names the admin port answers to besides its bind address, loopback and localhost (Host checked against DNS rebinding)")
        List<String> allowedHosts) {

    public AdminConfig {
        requireNonNull(bind, "bind");
        requireNonNull(token, "token");
        allowedHosts = List.copyOf(allowedHosts);
    }
}

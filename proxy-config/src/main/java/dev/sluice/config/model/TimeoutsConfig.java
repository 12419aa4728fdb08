package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record TimeoutsConfig(
        @Key(doc = "upstream TCP connect; over it: 502 (5s, as Envoy: a dropped SYN is sent again after 1s and 3s)", value = "5s")
        Duration connect,
        @Key(doc = "from request sent to response headers; over it: 504", value = "15s") Duration response) {

    public TimeoutsConfig {
        requireNonNull(connect, "connect");
        requireNonNull(response, "response");
    }
}

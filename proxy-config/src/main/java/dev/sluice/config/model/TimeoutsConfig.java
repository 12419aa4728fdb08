package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record TimeoutsConfig(
        @Key(doc = "upstream TCP connect; over it: 502", value = "1s") Duration connect,
        @Key(doc = "from request sent to response headers; over it: 504", value = "15s") Duration response) {

    public TimeoutsConfig {
        requireNonNull(connect, "connect");
        requireNonNull(response, "response");
    }
}

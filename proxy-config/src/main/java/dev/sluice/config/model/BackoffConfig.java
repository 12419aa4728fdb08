package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record BackoffConfig(
        @Key(doc = "first backoff bound", value = "100ms") Duration base,
        @Key(doc = "largest backoff bound", value = "5s") Duration max) {

    public BackoffConfig {
        requireNonNull(base, "base");
        requireNonNull(max, "max");
    }
}

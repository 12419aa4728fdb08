package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

public record RetryConfig(
        @Key(doc = "retries after the first attempt, each to a different node", value = "2", min = 0, max = 10) int attempts,
        @Key(doc = "exponential backoff with full jitter") BackoffConfig backoff,
        @Key(doc = "retries may not exceed this share of requests over 10s", value = "20", min = 0, max = 100) int budgetPercent) {

    public RetryConfig {
        requireNonNull(backoff, "backoff");
    }
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

public record RetryConfig(
        @Key(doc = "retries after the first attempt, each to a different node", value = "2", min = 0, max = 10) int attempts,
        @Key(doc = "exponential backoff with full jitter") BackoffConfig backoff,
        @Key(doc = "retries may not exceed this share of requests over 10s (at least one per 10s)", value = "20", min = 0, max = 100)
        int budgetPercent,
        @Key(doc = "failures that are retried: connect-failure, reset (closed before the response head), 502, 503, 504")
        List<String> retryOn,
        @Key(doc = "a request body up to this size is kept for replay; a larger one is not retried", value = "64KiB")
        ByteSize maxReplayBodyBytes) {

    /** What {@code retryOn} means when it is not written. */
    public static final List<String> DEFAULT_RETRY_ON = List.of("connect-failure", "reset", "502", "503", "504");

    public RetryConfig {
        requireNonNull(backoff, "backoff");
        retryOn = retryOn.isEmpty() ? DEFAULT_RETRY_ON : List.copyOf(retryOn);
        requireNonNull(maxReplayBodyBytes, "maxReplayBodyBytes");
    }
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record CircuitBreakerConfig(
        @Key(doc = "open at or above this error rate over the window", value = "0.5", min = 0.0, max = 1.0) double errorRate,
        @Key(doc = "open when p95 latency over the window exceeds this", value = "250ms") Duration latencySlo,
        @Key(doc = "rolling window", value = "30s") Duration window,
        @Key(doc = "fewest requests in the window before the breaker may open", value = "20", min = 1) int minRequests,
        @Key(doc = "how long the breaker stays open before half-open probes", value = "10s") Duration openFor) {

    public CircuitBreakerConfig {
        requireNonNull(latencySlo, "latencySlo");
        requireNonNull(window, "window");
        requireNonNull(openFor, "openFor");
    }
}

package dev.sluice.config.model;

public record SheddingConfig(
        @Key(doc = "global in-flight requests; above it: 429 at once", value = "4096", min = 1) int maxInFlight,
        @Key(doc = "true: the limit follows observed latency, bounded by maxInFlight", value = "false") boolean adaptive) {
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

public record PerIpConfig(
        @Key(doc = "sustained rate per client IP", value = "200/s") Rate rate,
        @Key(doc = "bucket size per client IP", value = "400", min = 1) int burst,
        @Key(doc = "most buckets kept; least recently used go first", value = "100000", min = 1) int maxTracked) {

    public PerIpConfig {
        requireNonNull(rate, "rate");
    }
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.util.Map;

public record PerPartitionConfig(
        @Key(doc = "where the partition key is read", required = true) KeySource key,
        @Key(doc = "sustained rate per partition", value = "1000/s") Rate rate,
        @Key(doc = "bucket size per partition", value = "2000", min = 1) int burst,
        @Key(doc = "longer keys, or keys outside [A-Za-z0-9._:-]: 400", value = "128", min = 1, max = 4096) int maxKeyLength,
        @Key(doc = "named partitions with their own rate and burst") Map<String, RateOverride> overrides,
        @Key(doc = "most buckets kept; least recently used go first", value = "100000", min = 1) int maxTracked) {

    public PerPartitionConfig {
        requireNonNull(key, "key");
        requireNonNull(rate, "rate");
        overrides = Map.copyOf(overrides);
    }
}

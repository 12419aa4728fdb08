package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/** The Redis that replicas share rate limits and per-node load through ({@code rateLimits.store: redis}). */
public record RedisConfig(
        @Key(doc = "redis://, rediss:// or redis-sentinel:// URI (Lettuce's forms); a list of redis:// URIs is a Redis Cluster",
                required = true) List<String> uri,
        @Key(doc = "longest a Redis command may take before the store counts as down", value = "50ms") Duration timeout,
        @Key(doc = "while Redis is down or slow: local (buckets at rate / replicas), open (admit) or closed (429)",
                value = "local") StoreFailure onFailure,
        @Key(doc = "prefix of every key Sluice writes", value = "sluice") String keyPrefix) {

    public RedisConfig {
        uri = List.copyOf(uri);
        requireNonNull(timeout, "timeout");
        requireNonNull(onFailure, "onFailure");
        requireNonNull(keyPrefix, "keyPrefix");
    }
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

public record RateLimitsConfig(
        @Key(doc = "token bucket per client IP", absent = "off") PerIpConfig perIp,
        @Key(doc = "token bucket per partition key (tenant, user, API key)", absent = "off") PerPartitionConfig perPartition,
        @Key(doc = "allowed responses carry RateLimit-* and X-RateLimit-* headers too", value = "true") boolean responseHeaders,
        @Key(doc = "local: buckets in this process; redis: shared by every replica through rateLimits.redis", value = "local")
        RateLimitStore store,
        @Key(doc = "the shared store (with store: redis)", absent = "none") RedisConfig redis) {

    public RateLimitsConfig {
        requireNonNull(store, "store");
    }
}

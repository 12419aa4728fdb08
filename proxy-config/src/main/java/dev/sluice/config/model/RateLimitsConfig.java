package dev.sluice.config.model;

public record RateLimitsConfig(
        @Key(doc = "token bucket per client IP", absent = "off") PerIpConfig perIp,
        @Key(doc = "token bucket per partition key (tenant, user, API key)", absent = "off") PerPartitionConfig perPartition,
        @Key(doc = "allowed responses carry RateLimit-* and X-RateLimit-* headers too", value = "true") boolean responseHeaders) {
}

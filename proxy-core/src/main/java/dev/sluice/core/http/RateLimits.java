package dev.sluice.core.http;

import dev.sluice.core.metrics.HeavyHitters;
import dev.sluice.core.ratelimit.RateLimiter;
import org.jspecify.annotations.Nullable;

/**
 * What {@code rate-limit} applies to one request: the per-IP and per-partition limiters (either may
 * be absent), where the partition key is read, whether allowed responses carry the rate-limit
 * headers, and the sketch of the hottest partitions. Immutable; a reload publishes a new one.
 */
public record RateLimits(@Nullable RateLimiter perIp, @Nullable RateLimiter perPartition,
        @Nullable KeyExtractor partitionKeys, boolean responseHeaders, @Nullable HeavyHitters hottest) {

    /** No limits at all. */
    public static final RateLimits NONE = new RateLimits(null, null, null, false, null);

    public RateLimits {
        if ((perPartition == null) != (partitionKeys == null)) {
            throw new IllegalArgumentException("perPartition and partitionKeys go together");
        }
    }
}

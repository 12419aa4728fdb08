package dev.sluice.core.server;

import dev.sluice.config.model.PerIpConfig;
import dev.sluice.config.model.PerPartitionConfig;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.core.http.ClientIps;
import dev.sluice.core.http.KeyExtractor;
import dev.sluice.core.metrics.AccessLog;
import dev.sluice.core.metrics.HeavyHitters;
import dev.sluice.core.metrics.Refusals;
import dev.sluice.core.ratelimit.FixedLimiter;
import dev.sluice.core.ratelimit.GradientLimiter;
import dev.sluice.core.ratelimit.InFlightLimiter;
import dev.sluice.core.ratelimit.KeyedRateLimiter;
import dev.sluice.core.ratelimit.RateLimiter;
import dev.sluice.core.time.Ticker;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The process-wide ingress protections, shared by every listener and event loop. Immutable holder. */
public record Ingress(InFlightLimiter shedding, @Nullable RateLimiter perIp, @Nullable RateLimiter perPartition,
        @Nullable KeyExtractor partitionKeys, boolean responseHeaders, ClientIps clientIps, @Nullable AccessLog accessLog,
        Refusals refusals, @Nullable HeavyHitters partitions) {

    /** Requests refused by each protection: ip, partition, overload, hygiene. */
    public static final java.util.List<String> REFUSALS = java.util.List.of("ip", "partition", "overload", "hygiene");

    static Ingress of(ProxyConfig config, Ticker ticker) {
        InFlightLimiter shed = config.shedding().adaptive() ? new GradientLimiter(config.shedding())
                : new FixedLimiter(config.shedding().maxInFlight());
        PerIpConfig ip = config.rateLimits().perIp();
        PerPartitionConfig part = config.rateLimits().perPartition();
        return new Ingress(shed,
                ip == null ? null : new KeyedRateLimiter(ip.rate(), ip.burst(), Map.of(), ip.maxTracked(), ticker),
                part == null ? null : new KeyedRateLimiter(part.rate(), part.burst(), part.overrides(), part.maxTracked(), ticker),
                part == null ? null : new KeyExtractor(part.key(), part.maxKeyLength()),
                config.rateLimits().responseHeaders(),
                config.server().trustedProxies().isEmpty() ? ClientIps.NONE : new ClientIps(config.server().trustedProxies()),
                config.accessLog().enabled() ? new AccessLog(System.out, AccessLog.QUEUE) : null,
                new Refusals(),
                part == null ? null : new HeavyHitters(64));
    }
}

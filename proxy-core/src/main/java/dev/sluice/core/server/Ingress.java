package dev.sluice.core.server;

import dev.sluice.config.model.PerIpConfig;
import dev.sluice.config.model.PerPartitionConfig;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.config.model.Rate;
import dev.sluice.config.model.RateLimitStore;
import dev.sluice.config.model.RateOverride;
import dev.sluice.config.model.RedisConfig;
import dev.sluice.core.fleet.RedisStore;
import dev.sluice.core.fleet.SharedRateLimiter;
import dev.sluice.core.http.ClientIps;
import dev.sluice.core.http.EndToEndHeaders;
import dev.sluice.core.http.KeyExtractor;
import dev.sluice.core.http.RateLimits;
import dev.sluice.core.metrics.AccessLog;
import dev.sluice.core.metrics.ClientErrors;
import dev.sluice.core.metrics.HeavyHitters;
import dev.sluice.core.metrics.Refusals;
import dev.sluice.core.ratelimit.FixedLimiter;
import dev.sluice.core.ratelimit.GradientLimiter;
import dev.sluice.core.ratelimit.InFlightLimiter;
import dev.sluice.core.ratelimit.KeyedRateLimiter;
import dev.sluice.core.ratelimit.RateLimiter;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.tracing.Tracing;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The process-wide ingress protections, shared by every listener and event loop. Immutable; a
 * reload publishes a new one that keeps every part whose configuration did not change (so a
 * client's buckets and the in-flight count survive it). With {@code rateLimits.store: redis} it holds
 * the shared store, which a reload keeps while {@code rateLimits.redis} is unchanged; with {@code tracing}
 * the span exporter, kept while {@code tracing} is unchanged.
 */
public record Ingress(InFlightLimiter shedding, RateLimits limits, ClientIps clientIps, @Nullable AccessLog accessLog,
        Refusals refusals, EndToEndHeaders endToEnd, ClientErrors clientErrors, @Nullable RedisStore store,
        @Nullable Tracing tracing) {

    /** Requests refused by each protection: ip, partition, overload, hygiene. */
    public static final java.util.List<String> REFUSALS = java.util.List.of("ip", "partition", "overload", "hygiene");

    /** The hottest partition keys, or null without a per-partition limit. */
    public @Nullable HeavyHitters partitions() {
        return limits.hottest();
    }

    /**
     * The protections {@code config} asks for.
     *
     * @param previous the protections in force before a reload, built from {@code previousConfig}; null at start
     * @param log the process's access log, created on first use
     */
    static Ingress of(ProxyConfig config, Ticker ticker, @Nullable Ingress previous, @Nullable ProxyConfig previousConfig,
            Supplier<AccessLog> log) {
        boolean reload = previous != null && previousConfig != null;
        InFlightLimiter shed;
        if (reload && previousConfig.shedding().equals(config.shedding())) {
            shed = previous.shedding();
        } else {
            AtomicInteger count = reload && previous.shedding() instanceof FixedLimiter f ? f.count() : new AtomicInteger();
            shed = config.shedding().adaptive() ? new GradientLimiter(config.shedding(), count)
                    : new FixedLimiter(config.shedding().maxInFlight(), count);
        }
        PerIpConfig ip = config.rateLimits().perIp();
        PerPartitionConfig part = config.rateLimits().perPartition();
        RedisConfig redis = config.rateLimits().store() == RateLimitStore.REDIS ? config.rateLimits().redis() : null;
        RedisStore store = redis == null ? null
                : reload && previous.store() != null && previous.store().config().equals(redis) ? previous.store() : RedisStore.start(redis);
        RateLimits before = reload ? previous.limits() : RateLimits.NONE;
        boolean sameStore = reload && previous.store() == store;
        boolean sameIp = sameStore && Objects.equals(previousConfig.rateLimits().perIp(), ip);
        boolean samePart = sameStore && Objects.equals(previousConfig.rateLimits().perPartition(), part);
        RateLimits limits = new RateLimits(
                ip == null ? null : sameIp ? before.perIp() : limiter(store, "ip", ip.rate(), ip.burst(), Map.of(), ip.maxTracked(), ticker),
                part == null ? null : samePart ? before.perPartition()
                        : limiter(store, "partition", part.rate(), part.burst(), part.overrides(), part.maxTracked(), ticker),
                part == null ? null : samePart ? before.partitionKeys() : new KeyExtractor(part.key(), part.maxKeyLength()),
                config.rateLimits().responseHeaders(),
                part == null ? null : before.hottest() != null ? before.hottest() : new HeavyHitters(64));
        return new Ingress(shed, limits,
                config.server().trustedProxies().isEmpty() ? ClientIps.NONE : new ClientIps(config.server().trustedProxies()),
                config.accessLog().enabled() ? log.get() : null,
                reload ? previous.refusals() : new Refusals(),
                EndToEndHeaders.of(config),
                reload ? previous.clientErrors() : new ClientErrors(ticker.nanoTime()),
                store,
                config.tracing() == null ? null
                        : reload && previous.tracing() != null && previous.tracing().config().equals(config.tracing()) ? previous.tracing()
                        : new Tracing(config.tracing()));
    }

    /** Buckets in this process, or shared through {@code store}. */
    private static RateLimiter limiter(@Nullable RedisStore store, String name, Rate rate, int burst,
            Map<String, RateOverride> overrides, int maxTracked, Ticker ticker) {
        return store == null ? new KeyedRateLimiter(rate, burst, overrides, maxTracked, ticker)
                : new SharedRateLimiter(store, name, rate, burst, overrides, maxTracked, ticker);
    }
}

package dev.sluice.core.ratelimit;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.config.model.Rate;
import dev.sluice.config.model.RateOverride;
import dev.sluice.core.time.Ticker;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Per-key {@link GcraBucket}s in a bounded Caffeine cache, so a flood of distinct keys (spoofed
 * IPs, invented tenants) cannot exhaust memory.
 *
 * <p>Eviction policy: at most {@code maxTracked} buckets (Caffeine's size eviction, Window
 * TinyLFU, which keeps frequently seen keys over one-off ones: a flood of new keys evicts itself
 * first); and a bucket not touched for the time an empty bucket needs to fill up is dropped, so
 * dropping it never hands a throttled client more tokens than waiting would have. Only a full
 * cache can evict a bucket early.
 */
public final class KeyedRateLimiter implements RateLimiter {

    private final Cache<String, GcraBucket> buckets;
    private final Function<String, GcraBucket> factory;

    public KeyedRateLimiter(Rate rate, int burst, Map<String, RateOverride> overrides, int maxTracked, Ticker ticker) {
        requireNonNull(rate, "rate");
        requireNonNull(ticker, "ticker");
        long idle = new GcraBucket(rate.perSecond(), burst, 0).refillNanos();
        for (RateOverride o : overrides.values()) {
            idle = Math.max(idle, new GcraBucket(o.rate().perSecond(), o.burst(), 0).refillNanos());
        }
        Map<String, RateOverride> named = Map.copyOf(overrides);
        this.factory = key -> {
            RateOverride o = named.get(key);
            return o == null ? new GcraBucket(rate.perSecond(), burst, ticker.nanoTime())
                    : new GcraBucket(o.rate().perSecond(), o.burst(), ticker.nanoTime());
        };
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxTracked)
                .expireAfterAccess(idle, TimeUnit.NANOSECONDS)
                .ticker(ticker::nanoTime)
                .executor(Runnable::run)
                .build();
    }

    @Override
    public boolean tryAcquire(String key, long nowNanos, Decision out) {
        GcraBucket b = buckets.get(key, factory);
        boolean ok = b.tryAcquire(nowNanos);
        out.set(ok, b, nowNanos);
        return ok;
    }

    /** Buckets held now (after pending maintenance). */
    public long tracked() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }
}

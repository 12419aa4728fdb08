package dev.sluice.core.fleet;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.config.model.Rate;
import dev.sluice.config.model.RateOverride;
import dev.sluice.config.model.StoreFailure;
import dev.sluice.core.ratelimit.Decision;
import dev.sluice.core.ratelimit.KeyedRateLimiter;
import dev.sluice.core.ratelimit.RateLimiter;
import dev.sluice.core.time.Ticker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Token buckets shared by every replica through Redis, kept off the request path by leases: each
 * key's bucket lives in Redis ({@code lease.lua}, GCRA on the server's clock), and this replica
 * takes tokens from it a few at a time and spends them locally. A request never waits for Redis.
 *
 * <p>A lease is {@code rate / replicas / 10} tokens (about a tenth of a second of this replica's
 * share), at most {@code burst / (2 x replicas)} so the leases held never add up to more than the
 * burst, and at least one. When a key's balance falls to half a lease, the next request asks for
 * another in the background. While Redis last had tokens for the key, a request finding the balance
 * empty is admitted on credit (at most one lease deep), repaid from the next grant: so a new key's
 * first request, or one arriving while a lease is on its way, is not refused for want of a round
 * trip, and the total admitted stays within the granted tokens plus one lease per replica. Once
 * Redis grants fewer tokens than asked (the bucket is empty), only leased tokens are spent, and
 * Redis is asked again when its answer said the next token would be there.
 *
 * <p>While the store is down (or not reached yet), {@code onFailure} decides: {@code local} buckets at
 * the rate and burst divided by the replicas last seen, {@code open}, or {@code closed}. When the
 * store returns, the leases from before are dropped.
 */
public final class SharedRateLimiter implements RateLimiter {

    private static final long LEASES_PER_SECOND = 10;

    private final RedisStore store;
    private final String prefix;
    private final Rate rate;
    private final int burst;
    private final Map<String, RateOverride> overrides;
    private final int maxTracked;
    private final Ticker ticker;
    private final Cache<String, Lease> leases;
    private final Function<String, Lease> factory;
    private volatile int epoch = -1;
    private volatile @Nullable Fallback fallback;

    /** @param name the bucket family in Redis keys: {@code ip} or {@code partition} */
    public SharedRateLimiter(RedisStore store, String name, Rate rate, int burst, Map<String, RateOverride> overrides,
            int maxTracked, Ticker ticker) {
        this.store = requireNonNull(store, "store");
        this.prefix = store.key("rl:" + name + ":");
        this.rate = requireNonNull(rate, "rate");
        this.burst = burst;
        this.overrides = Map.copyOf(overrides);
        this.maxTracked = maxTracked;
        this.ticker = requireNonNull(ticker, "ticker");
        this.factory = key -> {
            RateOverride o = this.overrides.get(key);
            return o == null ? new Lease(prefix + key, rate.perSecond(), burst) : new Lease(prefix + key, o.rate().perSecond(), o.burst());
        };
        // A lease not touched for a second is forgotten; its unspent tokens return to Redis's bucket by time.
        this.leases = Caffeine.newBuilder().maximumSize(maxTracked).expireAfterAccess(1, TimeUnit.SECONDS)
                .ticker(ticker::nanoTime).executor(Runnable::run).build();
    }

    @Override
    public boolean tryAcquire(String key, long nowNanos, Decision out) {
        if (!store.up()) {
            return whileDown(key, nowNanos, out);
        }
        int e = store.epoch();
        if (e != epoch) {
            leases.invalidateAll();
            epoch = e;
        }
        return leases.get(key, factory).tryAcquire(nowNanos, out);
    }

    private boolean whileDown(String key, long nowNanos, Decision out) {
        StoreFailure mode = store.config().onFailure();
        if (mode == StoreFailure.OPEN) {
            return true;
        }
        if (mode == StoreFailure.CLOSED) {
            out.set(false, burst, 0, 1_000_000_000L, 1_000_000_000L);
            return false;
        }
        int replicas = store.replicaCount();
        Fallback f = fallback;
        if (f == null || f.replicas != replicas) {
            f = new Fallback(replicas, local(replicas));
            fallback = f;
        }
        return f.limiter.tryAcquire(key, nowNanos, out);
    }

    /** Buckets of this process alone, each at its share of the rate and burst. */
    private KeyedRateLimiter local(int replicas) {
        Map<String, RateOverride> scaled = new LinkedHashMap<>();
        overrides.forEach((k, o) -> scaled.put(k, new RateOverride(share(o.rate(), replicas), Math.max(1, o.burst() / replicas))));
        return new KeyedRateLimiter(share(rate, replicas), Math.max(1, burst / replicas), scaled, maxTracked, ticker);
    }

    private static Rate share(Rate r, int replicas) {
        return new Rate(r.count(), r.per().multipliedBy(replicas));
    }

    private record Fallback(int replicas, KeyedRateLimiter limiter) {
    }

    /** One key's tokens on this replica: leased (positive balance) or owed (negative). */
    private final class Lease {
        final String redisKey;
        final double perSecond;
        final int burst;
        final long emissionMicros;
        final long capacityMicros;
        final AtomicLong balance = new AtomicLong();
        final AtomicBoolean asking = new AtomicBoolean();
        /** Redis had every token asked for last time: credit is allowed. */
        volatile boolean open = true;
        /** While not open: when Redis said its next token would be there (ticker time). */
        volatile long retryAt;
        /** What Redis's last answer said about the bucket, for the RateLimit-* headers. */
        volatile int left;
        volatile long fullAt;

        Lease(String redisKey, double perSecond, int burst) {
            this.redisKey = redisKey;
            this.perSecond = perSecond;
            this.burst = burst;
            this.emissionMicros = Math.max(1, Math.round(1e6 / perSecond));
            this.capacityMicros = emissionMicros * burst;
            this.left = burst;
        }

        long size() {
            int replicas = store.replicaCount();
            long byRate = (long) Math.ceil(perSecond / replicas / LEASES_PER_SECOND);
            long byBurst = Math.max(1, burst / (2L * replicas));
            return Math.max(1, Math.min(byRate, byBurst));
        }

        boolean tryAcquire(long now, Decision out) {
            long size = size();
            long b = balance.decrementAndGet();
            boolean ok = b >= 0 || (open && b >= -size);
            if (!ok) {
                b = balance.incrementAndGet();
            }
            if (b <= size / 2 && (open || now - retryAt >= 0)) {
                ask(size);
            }
            long toToken = ok || open ? 0 : Math.max(0, retryAt - now);
            long toFull = Math.max(0, fullAt - now);
            out.set(ok, burst, (int) Math.min(burst, left + Math.max(0, b)), Math.max(toToken, ok ? 0 : emissionMicros * 1000), toFull);
            return ok;
        }

        private void ask(long size) {
            if (!asking.compareAndSet(false, true)) {
                return;
            }
            long want = Math.max(1, size - balance.get());
            store.lease(redisKey, emissionMicros, capacityMicros, want).whenComplete((r, e) -> {
                try {
                    if (e == null) {
                        answered(r, want);
                    }
                } finally {
                    asking.set(false);
                }
            });
        }

        private void answered(List<Long> r, long want) {
            long now = ticker.nanoTime();
            long granted = r.get(0);
            balance.addAndGet(granted);
            left = (int) Math.min(Integer.MAX_VALUE, r.get(1));
            fullAt = now + r.get(3) * 1000;
            open = granted >= want;
            if (!open) {
                retryAt = now + Math.max(r.get(2), 1000) * 1000;
            }
        }
    }
}

package dev.sluice.core.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.load.Values;
import dev.sluice.config.model.RateOverride;
import dev.sluice.core.testing.FakeTicker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {

    @Test
    void overridesGiveNamedKeysTheirOwnBucket() {
        FakeTicker t = new FakeTicker();
        KeyedRateLimiter l = new KeyedRateLimiter(Values.rate("1/s"), 2,
                Map.of("big", new RateOverride(Values.rate("100/s"), 50)), 1000, t);
        Decision d = new Decision();
        int small = 0;
        int big = 0;
        for (int i = 0; i < 100; i++) {
            small += l.tryAcquire("small", t.nanoTime(), d) ? 1 : 0;
            big += l.tryAcquire("big", t.nanoTime(), d) ? 1 : 0;
        }
        assertEquals(2, small);
        assertEquals(50, big);
        assertEquals(50, d.limit());
        assertEquals(0, d.remaining());
        assertFalse(d.allowed());
    }

    /**
     * The caller reads the time before the bucket of a new key is made: the bucket must be full at
     * that reading too, or a burst of 1 refuses every new key's first request.
     */
    @Test
    void aNewKeysFirstRequestIsAdmittedWhenTheClockMovedSinceTheCallerReadIt() {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE - 1_000_000_000L);
        dev.sluice.core.time.Ticker moving = () -> clock.addAndGet(1_000); // every reading is a microsecond later
        KeyedRateLimiter l = new KeyedRateLimiter(Values.rate("1/h"), 1, Map.of(), 1000, moving);
        Decision d = new Decision();
        assertTrue(l.tryAcquire("new", moving.nanoTime(), d));
        assertFalse(l.tryAcquire("new", moving.nanoTime(), d));
    }

    @Test
    void aMillionDistinctKeysKeepTheCacheAtMaxTracked() {
        FakeTicker t = new FakeTicker();
        KeyedRateLimiter l = new KeyedRateLimiter(Values.rate("10/s"), 10, Map.of(), 10_000, t);
        Decision d = new Decision();
        for (int i = 0; i < 1_000_000; i++) {
            assertTrue(l.tryAcquire("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), t.nanoTime(), d));
        }
        assertTrue(l.tracked() <= 10_000, "tracked " + l.tracked());
    }

    @Test
    void aThrottledKeyIsNotForgottenBeforeItsBucketWouldBeFull() {
        FakeTicker t = new FakeTicker();
        KeyedRateLimiter l = new KeyedRateLimiter(Values.rate("1/s"), 5, Map.of(), 1000, t); // refills in 5 s
        Decision d = new Decision();
        for (int i = 0; i < 5; i++) {
            assertTrue(l.tryAcquire("ip", t.nanoTime(), d));
        }
        assertFalse(l.tryAcquire("ip", t.nanoTime(), d));
        t.advance(Duration.ofMillis(4_900)); // 4 tokens back, the entry must still be there
        int admitted = 0;
        while (l.tryAcquire("ip", t.nanoTime(), d)) {
            admitted++;
        }
        assertEquals(4, admitted, "a forgotten bucket would have handed out 5");
        t.advance(Duration.ofSeconds(6)); // idle past a full refill: forgetting it changes nothing
        assertEquals(0, l.tracked());
        admitted = 0;
        while (l.tryAcquire("ip", t.nanoTime(), d)) {
            admitted++;
        }
        assertEquals(5, admitted);
    }
}

package dev.sluice.core.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.load.YamlConfigLoader;
import dev.sluice.config.model.SheddingConfig;
import org.junit.jupiter.api.Test;

class GradientLimiterTest {

    private static SheddingConfig config() throws Exception {
        return YamlConfigLoader.load("""
                listeners: [ { name: a, bind: "127.0.0.1:0" } ]
                shedding: { maxInFlight: 500, adaptive: true, minInFlight: 10 }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c } ]
                """, "t").config().shedding();
    }

    /** One interval in which {@code concurrency} requests were in flight at once and all took {@code latencyMs}. */
    private static void interval(GradientLimiter l, int concurrency, long latencyMs) {
        int admitted = 0;
        for (int i = 0; i < concurrency && l.tryAcquire(); i++) {
            admitted++;
        }
        for (int i = 0; i < admitted; i++) {
            l.release(latencyMs * 1_000_000);
        }
        l.update();
    }

    @Test
    void growsWhileLatencyStaysNearItsFloorAndIsUsed() throws Exception {
        GradientLimiter l = new GradientLimiter(config());
        int start = l.limit();
        for (int i = 0; i < 100; i++) {
            interval(l, l.limit(), 10);
        }
        assertTrue(l.limit() > 3 * start, start + " -> " + l.limit());
        assertTrue(l.limit() <= 500);
        assertEquals(0, l.inFlight());
    }

    @Test
    void doesNotGrowWhenIdle() throws Exception {
        GradientLimiter l = new GradientLimiter(config());
        int start = l.limit();
        for (int i = 0; i < 100; i++) {
            interval(l, 2, 10);
        }
        assertEquals(start, l.limit());
    }

    @Test
    void cutsWhenLatencyRisesAndNeverBelowTheMinimum() throws Exception {
        GradientLimiter l = new GradientLimiter(config());
        for (int i = 0; i < 100; i++) {
            interval(l, l.limit(), 10);
        }
        int grown = l.limit();
        for (int i = 0; i < 20; i++) {
            interval(l, l.limit(), 100); // latency ten times its floor
        }
        assertTrue(l.limit() < grown / 4, grown + " -> " + l.limit());
        for (int i = 0; i < 200; i++) {
            interval(l, l.limit(), 1000);
        }
        assertEquals(10, l.limit());
    }
}

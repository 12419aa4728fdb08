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

    /**
     * The spike test's finding (perf/spike): under a sustained overload the latency floor was forgotten
     * 1 % per interval, so within seconds the queueing latency became the new floor and the limit
     * grew back to the maximum. A backend serving 16 requests at a time in 2 ms, steady load, then
     * demand far above the limit for a minute of intervals: the limit must stay where latency is near the
     * tolerance, not climb to where it is 30 times the floor.
     */
    @Test
    void aSustainedOverloadDoesNotBecomeTheNewFloor() throws Exception {
        GradientLimiter l = new GradientLimiter(config());
        for (int i = 0; i < 700; i++) {
            int demand = i < 100 ? 8 : 1000; // ten seconds of steady load learn the floor, then the overload
            int admitted = 0;
            for (int k = 0; k < demand && l.tryAcquire(); k++) {
                admitted++;
            }
            long latencyNanos = (long) (2_000_000 * Math.max(1.0, admitted / 16.0)); // the rest wait in the backend's queue
            for (int k = 0; k < admitted; k++) {
                l.release(latencyNanos);
            }
            l.update();
        }
        assertTrue(l.limit() <= 16 * 3, "in flight at most 3x what the backend serves at once (latency <= 3x its floor): " + l.limit());
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

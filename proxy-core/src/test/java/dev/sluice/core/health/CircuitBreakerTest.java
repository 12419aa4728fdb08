package dev.sluice.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.config.model.CircuitBreakerConfig;
import dev.sluice.core.testing.Nodes;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private static final long TICK = 250_000_000L;

    private static CircuitBreakerConfig config() {
        return Nodes.cluster("{ name: c, circuitBreaker: { errorRate: 0.5, latencySlo: 250ms, window: 10s, minRequests: 20, openFor: 5s } }")
                .circuitBreaker();
    }

    private static Outcomes outcomes(long ok, long failed, long slow) {
        return new Outcomes(ok, failed, slow, 0);
    }

    @Test
    void opensOnSixtyPercentErrorsButNotOnForty() {
        long now = Long.MAX_VALUE - 1_000_000_000_000L;
        CircuitBreaker forty = new CircuitBreaker(config(), TICK);
        CircuitBreaker sixty = new CircuitBreaker(config(), TICK);
        for (int i = 0; i < 40; i++) {
            now += TICK;
            assertEquals(Breaker.CLOSED, forty.onTick(outcomes(6, 4, 0), now));
        }
        Breaker s = Breaker.CLOSED;
        for (int i = 0; i < 40 && s == Breaker.CLOSED; i++) {
            now += TICK;
            s = sixty.onTick(outcomes(4, 6, 0), now);
        }
        assertEquals(Breaker.OPEN, s);
    }

    @Test
    void doesNotOpenBelowMinRequests() {
        CircuitBreaker b = new CircuitBreaker(config(), TICK);
        assertEquals(Breaker.CLOSED, b.onTick(outcomes(0, 19, 0), TICK));
        assertEquals(Breaker.OPEN, b.onTick(outcomes(0, 1, 0), 2 * TICK));
    }

    @Test
    void opensWhenP95ExceedsTheSlo() {
        CircuitBreaker within = new CircuitBreaker(config(), TICK);
        assertEquals(Breaker.CLOSED, within.onTick(outcomes(100, 0, 5), TICK), "5% slow: p95 at the SLO");
        CircuitBreaker over = new CircuitBreaker(config(), TICK);
        assertEquals(Breaker.OPEN, over.onTick(outcomes(100, 0, 6), TICK), "6% slow: p95 above it");
    }

    @Test
    void halfOpenClosesOnCleanProbesAndReopensOnAFailure() {
        CircuitBreaker b = new CircuitBreaker(config(), TICK);
        long now = 0;
        assertEquals(Breaker.OPEN, b.onTick(outcomes(0, 30, 0), now += TICK));
        assertEquals(Breaker.OPEN, b.onTick(outcomes(0, 0, 0), now += 4_000_000_000L), "open for openFor");
        assertEquals(Breaker.HALF_OPEN, b.onTick(outcomes(0, 0, 0), now += 1_000_000_000L));
        assertEquals(Breaker.OPEN, b.onTick(outcomes(2, 1, 0), now += TICK), "a failed probe reopens");
        assertEquals(Breaker.HALF_OPEN, b.onTick(outcomes(0, 0, 0), now += 5_000_000_000L));
        assertEquals(Breaker.HALF_OPEN, b.onTick(outcomes(2, 0, 0), now += TICK));
        assertEquals(Breaker.CLOSED, b.onTick(outcomes(1, 0, 0), now += TICK), "three clean probes close it");
        assertEquals(Breaker.CLOSED, b.onTick(outcomes(5, 5, 0), now += TICK), "a fresh window after closing");
    }
}

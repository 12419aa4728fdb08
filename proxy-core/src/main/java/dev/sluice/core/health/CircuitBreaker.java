package dev.sluice.core.health;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.CircuitBreakerConfig;

/**
 * One node's circuit breaker, fed once per refresh tick with the outcomes of that tick.
 *
 * <p>Closed: the last {@code window} of ticks is kept as a ring of counts; the breaker opens when
 * the window holds at least {@code minRequests} outcomes and either the error rate is at least
 * {@code errorRate} or more than 5% of the responses were slower than {@code latencySlo} (which is
 * exactly "the p95 latency exceeds the SLO", with no histogram). Open: the node gets no traffic for
 * {@code openFor}. Half-open: the node gets a trickle of traffic (the cluster gives it a token
 * weight); one failure or slow response opens it again, {@link #HALF_OPEN_SUCCESSES} clean ones
 * close it. Confined to the cluster's refresh.
 */
public final class CircuitBreaker {

    static final int HALF_OPEN_SUCCESSES = 3;
    static final double SLOW_SHARE = 0.05;

    private final CircuitBreakerConfig config;
    private final long[] requests;
    private final long[] errors;
    private final long[] slow;
    private int tick;
    private Breaker state = Breaker.CLOSED;
    private long openedAt;
    private int probesOk;

    public CircuitBreaker(CircuitBreakerConfig config, long tickNanos) {
        this.config = requireNonNull(config, "config");
        int ticks = (int) Math.max(1, config.window().toNanos() / Math.max(1, tickNanos));
        requests = new long[ticks];
        errors = new long[ticks];
        slow = new long[ticks];
    }

    /** Folds in one tick's outcomes; returns the state after it. */
    public Breaker onTick(Outcomes o, long nowNanos) {
        switch (state) {
            case CLOSED -> {
                tick = (tick + 1) % requests.length;
                requests[tick] = o.responses() + o.failures();
                errors[tick] = o.failures();
                slow[tick] = o.slow();
                long n = 0;
                long e = 0;
                long s = 0;
                for (int i = 0; i < requests.length; i++) {
                    n += requests[i];
                    e += errors[i];
                    s += slow[i];
                }
                if (n >= config.minRequests() && (e >= config.errorRate() * n || s > SLOW_SHARE * n)) {
                    open(nowNanos);
                }
            }
            case OPEN -> {
                if (nowNanos - openedAt >= config.openFor().toNanos()) {
                    state = Breaker.HALF_OPEN;
                    probesOk = 0;
                }
            }
            case HALF_OPEN -> {
                if (o.failures() > 0 || o.slow() > 0) {
                    open(nowNanos);
                } else {
                    probesOk += (int) o.responses();
                    if (probesOk >= HALF_OPEN_SUCCESSES) {
                        state = Breaker.CLOSED;
                        java.util.Arrays.fill(requests, 0);
                        java.util.Arrays.fill(errors, 0);
                        java.util.Arrays.fill(slow, 0);
                    }
                }
            }
        }
        return state;
    }

    private void open(long nowNanos) {
        state = Breaker.OPEN;
        openedAt = nowNanos;
    }

    public Breaker state() {
        return state;
    }
}

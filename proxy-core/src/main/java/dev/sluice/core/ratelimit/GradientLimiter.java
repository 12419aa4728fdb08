package dev.sluice.core.ratelimit;

import dev.sluice.config.model.SheddingConfig;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An in-flight limit that follows latency, in the spirit of TCP congestion control (and Netflix's
 * gradient limit): grow while latency stays near its floor, cut when it rises. Every
 * {@code shedding.interval}, off the request path ({@link #update}):
 * <pre>
 *   latency  = mean latency of the requests released in the interval
 *   floor    = min(floor x 1.01, latency)              the no-load latency, slowly forgotten;
 *              min(floor, latency) in an interval that refused a request
 *   gradient = clamp(latencyTolerance x floor / latency, 0.5, 1)
 *   target   = limit x gradient + sqrt(limit)          sqrt(limit): room to probe upward
 *   limit    = clamp(0.8 x limit + 0.2 x target, minInFlight, maxInFlight)
 * </pre>
 * The limit only grows when the interval used at least half of it, so an idle proxy does not drift
 * to the maximum. The floor is held while the limit refuses requests: in an overload, latency above
 * the floor is the queue the limit is there to keep short, not a backend that became slower, and
 * forgetting the floor then would make a sustained overload the new normal within seconds (the
 * spike test saw admitted latency climb 10x in 30 s). Requests are admitted against the limit of
 * the last update.
 */
public final class GradientLimiter extends FixedLimiter {

    private final SheddingConfig config;
    private final LongAdder latencySum = new LongAdder();
    private final LongAdder completions = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private volatile int limit;
    private volatile int peakInFlight;
    // update-confined
    private double floor = Double.NaN;
    private double smoothed;

    public GradientLimiter(SheddingConfig config) {
        this(config, new AtomicInteger());
    }

    /** @param inFlight the count to share with the limiter this one replaces */
    public GradientLimiter(SheddingConfig config, AtomicInteger inFlight) {
        super(config.maxInFlight(), inFlight);
        this.config = config;
        this.limit = Math.min(config.maxInFlight(), Math.max(config.minInFlight(), 64));
        this.smoothed = limit;
    }

    @Override
    public boolean tryAcquire() {
        boolean ok = super.tryAcquire();
        int n = inFlight();
        if (ok && n > peakInFlight) {
            peakInFlight = n; // a benign race: only a hint for whether the limit was used
        } else if (!ok) {
            refused.increment();
        }
        return ok;
    }

    @Override
    public void release(long latencyNanos) {
        super.release(latencyNanos);
        latencySum.add(latencyNanos);
        completions.increment();
    }

    @Override
    public int limit() {
        return limit;
    }

    /** Recomputes the limit from the interval's samples; call from one thread at a time. */
    public synchronized void update() {
        long n = completions.sumThenReset();
        long sum = latencySum.sumThenReset();
        boolean refusing = refused.sumThenReset() > 0;
        int used = peakInFlight;
        peakInFlight = inFlight();
        if (n == 0) {
            return;
        }
        double latency = sum / (double) n;
        floor = Double.isNaN(floor) ? latency : Math.min(refusing ? floor : floor * 1.01, latency);
        double gradient = Math.max(0.5, Math.min(1.0, config.latencyTolerance() * floor / Math.max(1, latency)));
        double target = smoothed * gradient + (used * 2 >= smoothed ? Math.sqrt(smoothed) : 0);
        smoothed = Math.max(config.minInFlight(), Math.min(config.maxInFlight(), 0.8 * smoothed + 0.2 * target));
        limit = (int) smoothed;
    }
}

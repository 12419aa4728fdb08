package dev.sluice.core.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * Lock-free statistics of one node, written by the event loops as responses complete and read by
 * the admin port. Requests and errors are counted in 60 one-second {@link SecondBuckets}, from
 * which QPS over 1 s, 10 s and 60 s is read over complete seconds;
 * latency goes into a log-scale histogram (4 buckets per doubling, 1 ms to about 68 s), from which
 * percentiles are read without sorting anything. Time is passed in.
 */
public final class NodeStats {

    static final int SECONDS = 60;
    /** Bucket i holds latencies below 2^(i/4) ms; the last one holds the rest. */
    static final int BUCKETS = 4 * 26 + 1;

    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private static final int REQUESTS = 0;
    private static final int ERRORS = 1;
    private final SecondBuckets perSecond = new SecondBuckets(SECONDS, 2);
    private final LongAdder[] latency = new LongAdder[BUCKETS];

    public NodeStats() {
        for (int i = 0; i < BUCKETS; i++) {
            latency[i] = new LongAdder();
        }
    }

    /** One completed exchange (a response head or a failure) at {@code nowNanos}. */
    public void record(long nowNanos, long latencyNanos, boolean error) {
        requests.increment();
        perSecond.increment(REQUESTS, nowNanos);
        if (error) {
            errors.increment();
            perSecond.increment(ERRORS, nowNanos);
        }
        latency[latencyBucket(latencyNanos)].increment();
    }

    static int latencyBucket(long nanos) {
        double ms = nanos / 1e6;
        if (ms < 1) {
            return 0;
        }
        int i = 1 + (int) Math.floor(4 * Math.log(ms) / Math.log(2));
        return Math.min(BUCKETS - 1, i);
    }

    /** Upper bound of a latency bucket, in milliseconds. */
    static double bucketUpperMs(int i) {
        return Math.pow(2, i / 4.0);
    }

    public long requests() {
        return requests.sum();
    }

    public long errors() {
        return errors.sum();
    }

    /** Mean requests per second over the last {@code seconds} complete seconds before {@code nowNanos}. */
    public double qps(long nowNanos, int seconds) {
        return perSecond.sum(REQUESTS, nowNanos, 1, seconds) / (double) seconds;
    }

    /** Errors over requests in the last {@code seconds} complete seconds; 0 without requests. */
    public double errorRate(long nowNanos, int seconds) {
        long n = perSecond.sum(REQUESTS, nowNanos, 1, seconds);
        return n == 0 ? 0 : perSecond.sum(ERRORS, nowNanos, 1, seconds) / (double) n;
    }

    /** The latency under which {@code p} (0..1) of all recorded exchanges fell, in milliseconds (bucket upper bound). */
    public double latencyPercentileMs(double p) {
        long total = 0;
        long[] counts = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] = latency[i].sum();
            total += counts[i];
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return bucketUpperMs(i);
            }
        }
        return bucketUpperMs(BUCKETS - 1);
    }
}

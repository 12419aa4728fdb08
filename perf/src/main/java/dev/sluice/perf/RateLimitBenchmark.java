package dev.sluice.perf;

import dev.sluice.config.load.Values;
import dev.sluice.core.ratelimit.Decision;
import dev.sluice.core.ratelimit.GcraBucket;
import dev.sluice.core.ratelimit.KeyedRateLimiter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Token buckets: one bucket from one thread, the same bucket from two threads (CAS contention), and
 * the keyed limiter's lookup-and-acquire among 10,000 keys. Time advances one emission interval per
 * operation, so every acquire succeeds and takes the CAS path. Run with {@code -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RateLimitBenchmark {

    @State(Scope.Benchmark)
    public static class Shared {
        GcraBucket bucket = new GcraBucket(1e9, 1_000_000, 0);
        final java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    }

    @State(Scope.Thread)
    public static class Local {
        GcraBucket bucket;
        KeyedRateLimiter limiter;
        String[] keys;
        Decision decision;
        long now;
        int next;

        @Setup
        public void setUp() {
            bucket = new GcraBucket(1e9, 1_000_000, 0);
            limiter = new KeyedRateLimiter(Values.rate("1000000000/s"), 1_000_000, Map.of(), 100_000, () -> 0L);
            keys = new String[10_000];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = "10.0." + (i / 250) + "." + (i % 250);
            }
            decision = new Decision();
        }
    }

    @Benchmark
    public boolean bucketUncontended(Local l) {
        return l.bucket.tryAcquire(++l.now);
    }

    @Benchmark
    @Threads(2)
    public boolean bucketContended(Shared s) {
        return s.bucket.tryAcquire(s.now.incrementAndGet());
    }

    @Benchmark
    public boolean keyedLimiter(Local l) {
        return l.limiter.tryAcquire(l.keys[l.next++ % l.keys.length], ++l.now, l.decision);
    }
}

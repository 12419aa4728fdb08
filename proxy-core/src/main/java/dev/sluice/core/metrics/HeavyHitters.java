package dev.sluice.core.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hottest keys (partitions) in bounded memory: Space-Saving (Metwally, Agrawal and El Abbadi)
 * over {@code capacity} counters. A new key, when all counters are taken, replaces the smallest
 * and inherits its count, so a key that is truly frequent is never missed and memory never grows
 * with a flood of distinct keys. Counts decay by {@link #DECAY} each second ({@link #decay}), so
 * {@code count x (1 - DECAY)} is an exponentially weighted rate per second with about ten seconds
 * of memory.
 *
 * <p>Threading: event loops {@link #offer} under a {@code tryLock}; an update that would wait is
 * skipped and counted instead (the sketch is approximate anyway), so no event loop ever blocks.
 */
public final class HeavyHitters {

    public static final double DECAY = 0.9;

    /** One reported key with its rate. */
    public record Hitter(String key, double perSecond) {
    }

    private final int capacity;
    private final Map<String, double[]> counts = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final LongAdder skipped = new LongAdder();

    public HeavyHitters(int capacity) {
        this.capacity = capacity;
    }

    public void offer(String key) {
        if (!lock.tryLock()) {
            skipped.increment();
            return;
        }
        try {
            double[] c = counts.get(key);
            if (c != null) {
                c[0]++;
            } else if (counts.size() < capacity) {
                counts.put(key, new double[] {1});
            } else {
                String smallest = null;
                double min = Double.MAX_VALUE;
                for (Map.Entry<String, double[]> e : counts.entrySet()) {
                    if (e.getValue()[0] < min) {
                        min = e.getValue()[0];
                        smallest = e.getKey();
                    }
                }
                counts.remove(smallest);
                counts.put(key, new double[] {min + 1});
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ages every count by one second; call once a second. */
    public void decay() {
        lock.lock();
        try {
            counts.values().removeIf(c -> (c[0] *= DECAY) < 0.05);
        } finally {
            lock.unlock();
        }
    }

    /** The {@code n} hottest keys, hottest first. */
    public List<Hitter> top(int n) {
        List<Hitter> out = new ArrayList<>();
        lock.lock();
        try {
            for (Map.Entry<String, double[]> e : counts.entrySet()) {
                out.add(new Hitter(e.getKey(), e.getValue()[0] * (1 - DECAY)));
            }
        } finally {
            lock.unlock();
        }
        out.sort((a, b) -> Double.compare(b.perSecond(), a.perSecond()));
        return out.size() > n ? List.copyOf(out.subList(0, n)) : out;
    }

    /** Updates skipped because another thread held the sketch. */
    public long skipped() {
        return skipped.sum();
    }
}

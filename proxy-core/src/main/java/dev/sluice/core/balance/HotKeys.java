package dev.sluice.core.balance;

import dev.sluice.config.model.HotKeysConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Which keys of a consistent-hash cluster are too hot for one node, and the nodes each is spread
 * over. One placed request in {@link #SAMPLE}, chosen at random, offers its key's hash to a
 * Space-Saving sketch (Metwally, Agrawal and El Abbadi: {@link #CAPACITY} counters; a new key takes
 * the smallest counter and its count, so a key with more than 1/{@link #CAPACITY} of the traffic is
 * never missed) whose counts decay with a {@link #DECAY_NANOS} time constant, so a count over the
 * total is the key's share of the recent rate (a uniform sample leaves shares unbiased; it made the
 * pick 25% cheaper in PickBenchmark). With more than {@code 64 x spreadAbove} nodes the split line
 * falls below 1/64 of the traffic, and a key just above it may go unseen. The cluster's refresh
 * {@link #judge judges}: a key whose share exceeds {@code spreadAbove} of a node's fair share
 * ({@code 1 / nodes}) is split over its owner and the next ring nodes, {@code maxNodes} in all; it
 * collapses back when its share falls below {@link #COLLAPSE} of that line (hysteresis: no
 * flapping at the threshold). At most {@link #MAX_SPLIT} keys are split at once, the hottest.
 *
 * <p>Threading: event loops {@link #offer} under a {@code tryLock} (an offer that would wait is
 * skipped: the sketch is approximate anyway); the refresh judges under the lock and publishes an
 * immutable {@link Split} array through a volatile field that pickers scan. Neither allocates on
 * the request path; a split key's label is copied once, when first seen ({@link Split#label}).
 */
public final class HotKeys {

    static final int CAPACITY = 64;
    /** One placed request in this many, chosen at random, is offered to the sketch. */
    static final int SAMPLE = 4;
    static final int MAX_SPLIT = 8;
    static final long DECAY_NANOS = 2_000_000_000L;
    static final double COLLAPSE = 0.7;

    /** One split key: its hash, the ring judged on, its nodes there (indices, owner first), its rate when judged. */
    public static final class Split {
        final long hash;
        final HashRing ring;
        final int[] nodes;
        final double perSecond;
        /** How the key is written, once the request path has seen it split; for {@code /stats}. */
        private volatile @Nullable String label;

        Split(long hash, HashRing ring, int[] nodes, double perSecond, @Nullable String label) {
            this.hash = hash;
            this.ring = ring;
            this.nodes = nodes;
            this.perSecond = perSecond;
            this.label = label;
        }

        public @Nullable String label() {
            return label;
        }

        /** Sets the label; the request path calls it once per split key, when {@link #label()} is null. */
        public void label(String key) {
            label = key;
        }
    }

    /** A split key as {@code /stats} shows it. */
    public record SplitKey(String key, double perSecond, List<String> nodes) {
    }

    private static final Split[] NONE = new Split[0];

    private final double spreadAbove;
    private final int maxNodes;
    private final ReentrantLock lock = new ReentrantLock();
    private final long[] keys = new long[CAPACITY];
    private final double[] counts = new double[CAPACITY];
    private int used; // lock-guarded, as are keys, counts, total and lastDecay
    private double total;
    private long lastDecay;
    private volatile Split[] split = NONE;

    public HotKeys(HotKeysConfig config, long nowNanos) {
        this.spreadAbove = config.spreadAbove();
        this.maxNodes = config.maxNodes();
        this.lastDecay = nowNanos;
    }

    public int maxNodes() {
        return maxNodes;
    }

    /** Counts one request for the key hashing to {@code hash}. */
    public void offer(long hash) {
        if (!lock.tryLock()) {
            return;
        }
        try {
            total++;
            int min = 0;
            for (int i = 0; i < used; i++) {
                if (keys[i] == hash) {
                    counts[i]++;
                    return;
                }
                if (counts[i] < counts[min]) {
                    min = i;
                }
            }
            if (used < CAPACITY) {
                keys[used] = hash;
                counts[used++] = 1;
            } else {
                keys[min] = hash;
                counts[min]++;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The split record for {@code hash}, or null when the key is not split; a scan of at most {@link #MAX_SPLIT}. */
    public @Nullable Split split(long hash) {
        for (Split s : split) {
            if (s.hash == hash) {
                return s;
            }
        }
        return null;
    }

    /**
     * Ages the counts to {@code nowNanos} and decides which keys are split over which of
     * {@code ring}'s nodes; the cluster's refresh calls it.
     */
    public void judge(@Nullable HashRing ring, long nowNanos) {
        List<Split> next = new ArrayList<>();
        lock.lock();
        try {
            double f = Math.exp(-(nowNanos - lastDecay) / (double) DECAY_NANOS);
            lastDecay = nowNanos;
            total *= f;
            for (int i = 0; i < used; i++) {
                counts[i] *= f;
            }
            int nodes = ring == null ? 0 : ring.nodes.length;
            if (nodes > 1 && total > 0) {
                double line = spreadAbove * total / nodes;
                for (int i = 0; i < used; i++) {
                    Split was = split(keys[i]);
                    if (counts[i] > line || (was != null && counts[i] > COLLAPSE * line)) {
                        next.add(new Split(keys[i], ring, ring.successors(keys[i], maxNodes), counts[i] * 1e9 / DECAY_NANOS,
                                was == null ? null : was.label()));
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        next.sort((a, b) -> Double.compare(b.perSecond, a.perSecond));
        split = next.subList(0, Math.min(MAX_SPLIT, next.size())).toArray(NONE);
    }

    /** The split keys, hottest first, as {@code /stats} shows them. */
    public List<SplitKey> report() {
        List<SplitKey> out = new ArrayList<>();
        for (Split s : split) {
            List<String> nodes = new ArrayList<>();
            for (int i : s.nodes) {
                nodes.add(s.ring.node(i).address().toString());
            }
            String label = s.label();
            out.add(new SplitKey(label != null ? label : String.format("#%016x", s.hash), s.perSecond, nodes));
        }
        return out;
    }
}

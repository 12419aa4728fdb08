package dev.sluice.core.balance;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.upstream.Node;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The {@code consistent-hash} balancer with bounded loads (Mirrokni, Thorup and Zadimoghaddam,
 * "Consistent Hashing with Bounded Loads"): a request goes to the owner of its key on a
 * {@link HashRing} unless that node already carries its bound, in which case it walks clockwise to
 * the first node under its own bound. With {@code m} requests in flight in the cluster, node i's
 * bound is {@code ceil(balanceFactor x (m + 1) x share_i)}, where {@code share_i} is its share of
 * the cluster's effective weight, so a ramping (slow-start) node accepts proportionally fewer
 * concurrent requests and its surplus keys spill to the next nodes. A key keeps its node whenever
 * that node has room. {@code balanceFactor: 0} turns the bound off (plain consistent hashing).
 *
 * <p>With {@code hash.hotKeys}, a key that {@link HotKeys} judges too hot for one node is spread
 * over its owner and the next ring nodes by power of two choices (the one less loaded relative to
 * its bound wins), as Slicer splits a hot slice; every other key keeps its node.
 *
 * <p>The ring depends only on membership and configured weights and is rebuilt only when those
 * change; effective weights only change the bounds. The request's key hash comes from
 * {@link PickContext#hashKey()}.
 */
public final class ConsistentHash implements Balancer {

    private final int virtualNodes;
    private final double balanceFactor;
    private final AtomicInteger clusterInFlight;
    private final @Nullable HotKeys hotKeys;
    private final RandomSource random;
    private final PickRules rules = new PickRules();
    /** The last ring built; reused while membership stays the same. Accessed by the refresh only. */
    private HashRing ring;

    public ConsistentHash(int virtualNodes, double balanceFactor, AtomicInteger clusterInFlight) {
        this(virtualNodes, balanceFactor, clusterInFlight, null, RandomSource.THREAD_LOCAL);
    }

    /** With {@code hotKeys}, keys it judges too hot for one node are spread by power of two choices over their nodes. */
    public ConsistentHash(int virtualNodes, double balanceFactor, AtomicInteger clusterInFlight, @Nullable HotKeys hotKeys,
            RandomSource random) {
        this.virtualNodes = virtualNodes;
        this.balanceFactor = balanceFactor;
        this.clusterInFlight = requireNonNull(clusterInFlight, "clusterInFlight");
        this.hotKeys = hotKeys;
        this.random = requireNonNull(random, "random");
    }

    @Override
    public void refreshed(long nowNanos) {
        if (hotKeys != null) {
            hotKeys.judge(ring, nowNanos);
        }
    }

    @Override
    public PickRules rules() {
        return rules;
    }

    @Override
    public @Nullable HotKeys hotKeys() {
        return hotKeys;
    }

    @Override
    public Picker newPicker(List<Node> eligible, long nowNanos) {
        if (eligible.isEmpty()) {
            return Picker.EMPTY;
        }
        if (ring == null || !ring.sameMembers(eligible)) {
            ring = new HashRing(eligible, virtualNodes);
        }
        double total = 0;
        for (Node n : eligible) {
            total += n.effectiveWeight();
        }
        double[] share = new double[eligible.size()];
        double[] boundScale = new double[eligible.size()];
        for (int i = 0; i < boundScale.length; i++) {
            share[i] = eligible.get(i).effectiveWeight() / total;
            boundScale[i] = balanceFactor * share[i];
        }
        return new RingPicker(ring, share, boundScale, balanceFactor > 0, clusterInFlight, hotKeys, random, rules);
    }

    /** The ring of the last picker built; for tests and reports. */
    public HashRing ring() {
        return ring;
    }

    static final class RingPicker implements Picker {
        private final HashRing ring;
        /** Each node's share of the effective weight; a split key's nodes are compared by in flight over it. */
        private final double[] share;
        private final double[] boundScale;
        private final boolean bounded;
        private final AtomicInteger clusterInFlight;
        private final @Nullable HotKeys hotKeys;
        private final RandomSource random;
        private final PickRules rules;

        RingPicker(HashRing ring, double[] share, double[] boundScale, boolean bounded, AtomicInteger clusterInFlight,
                @Nullable HotKeys hotKeys, RandomSource random, PickRules rules) {
            this.rules = rules;
            this.ring = ring;
            this.share = share;
            this.boundScale = boundScale;
            this.bounded = bounded;
            this.clusterInFlight = clusterInFlight;
            this.hotKeys = hotKeys;
            this.random = random;
        }

        @Override
        public Node pick(PickContext ctx) {
            long hash = ctx.hashKey();
            long m1 = clusterInFlight.get() + 1L;
            if (hotKeys != null) {
                Node spread = spread(hash, m1);
                if (spread != null) {
                    return rules.count(ctx, spread, PickRule.HOT_KEY_SPLIT);
                }
            }
            int start = ring.locate(hash);
            if (!bounded) {
                return rules.count(ctx, ring.nodes[ring.owners[start]], PickRule.WEIGHT);
            }
            int len = ring.points.length;
            int last = -1;
            for (int step = 0; step < len; step++) {
                int i = start + step;
                int owner = ring.owners[i >= len ? i - len : i];
                if (owner == last) {
                    continue; // consecutive points of a node already found full
                }
                Node n = ring.nodes[owner];
                if (n.inFlight() < Math.ceil(boundScale[owner] * m1)) {
                    return rules.count(ctx, n, step == 0 ? PickRule.WEIGHT : PickRule.BOUNDED_LOAD_SPILL);
                }
                last = owner;
            }
            // unreachable with balanceFactor >= 1: someone is under the mean
            return rules.count(ctx, ring.nodes[ring.owners[start]], PickRule.WEIGHT);
        }

        /**
         * For a split key: the less loaded (in flight per share of weight) of two of its nodes, or
         * null when the key is not split, or that node is at its bound (the bounded walk then places it).
         */
        private @Nullable Node spread(long hash, long m1) {
            if (random.nextInt(HotKeys.SAMPLE) == 0) {
                hotKeys.offer(hash); // a uniform sample: shares stay unbiased, and three picks in four skip the sketch
            }
            HotKeys.Split s = hotKeys.split(hash);
            if (s == null || s.ring != ring || s.nodes.length < 2) {
                return null; // not split, or judged on a ring since replaced: until the next judgement
            }
            int[] nodes = s.nodes;
            int a = random.nextInt(nodes.length);
            int b = random.nextInt(nodes.length - 1);
            if (b >= a) {
                b++;
            }
            double la = ring.nodes[nodes[a]].inFlight() / share[nodes[a]];
            double lb = ring.nodes[nodes[b]].inFlight() / share[nodes[b]];
            int winner = la <= lb ? nodes[a] : nodes[b];
            Node n = ring.nodes[winner];
            return !bounded || n.inFlight() < Math.ceil(boundScale[winner] * m1) ? n : null;
        }
    }
}

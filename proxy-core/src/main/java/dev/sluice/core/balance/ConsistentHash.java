package dev.sluice.core.balance;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.upstream.Node;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>The ring depends only on membership and configured weights and is rebuilt only when those
 * change; effective weights only change the bounds. The request's key hash comes from
 * {@link PickContext#hashKey()}.
 */
public final class ConsistentHash implements Balancer {

    private final int virtualNodes;
    private final double balanceFactor;
    private final AtomicInteger clusterInFlight;
    /** The last ring built; reused while membership stays the same. Accessed by the refresh only. */
    private HashRing ring;

    public ConsistentHash(int virtualNodes, double balanceFactor, AtomicInteger clusterInFlight) {
        this.virtualNodes = virtualNodes;
        this.balanceFactor = balanceFactor;
        this.clusterInFlight = requireNonNull(clusterInFlight, "clusterInFlight");
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
        double[] boundScale = new double[eligible.size()];
        for (int i = 0; i < boundScale.length; i++) {
            boundScale[i] = balanceFactor * eligible.get(i).effectiveWeight() / total;
        }
        return new RingPicker(ring, boundScale, balanceFactor > 0, clusterInFlight);
    }

    /** The ring of the last picker built; for tests and reports. */
    public HashRing ring() {
        return ring;
    }

    static final class RingPicker implements Picker {
        private final HashRing ring;
        private final double[] boundScale;
        private final boolean bounded;
        private final AtomicInteger clusterInFlight;

        RingPicker(HashRing ring, double[] boundScale, boolean bounded, AtomicInteger clusterInFlight) {
            this.ring = ring;
            this.boundScale = boundScale;
            this.bounded = bounded;
            this.clusterInFlight = clusterInFlight;
        }

        @Override
        public Node pick(PickContext ctx) {
            int start = ring.locate(ctx.hashKey());
            if (!bounded) {
                return ring.nodes[ring.owners[start]];
            }
            long m1 = clusterInFlight.get() + 1L;
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
                    return n;
                }
                last = owner;
            }
            return ring.nodes[ring.owners[start]]; // unreachable with balanceFactor >= 1: someone is under the mean
        }
    }
}

package dev.sluice.core.balance;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.upstream.Node;
import java.util.List;

/**
 * The {@code least-connections} balancer: the node with the fewest in-flight requests per unit of
 * effective weight, scoring {@code (inFlight + 1) / effectiveWeight} so that weights count even
 * when every node is idle. Ties are broken at random. Clusters larger than
 * {@code fullScanMaxNodes} use power-of-two-choices: two distinct random nodes, the better one
 * wins, which keeps the pick O(1) and avoids every event loop herding onto the same idle node.
 *
 * <p>In-flight counts are the nodes' live atomics; the picker itself is immutable.
 */
public final class LeastConnections implements Balancer {

    private final int fullScanMaxNodes;
    private final RandomSource random;

    public LeastConnections(int fullScanMaxNodes, RandomSource random) {
        this.fullScanMaxNodes = fullScanMaxNodes;
        this.random = requireNonNull(random, "random");
    }

    @Override
    public Picker newPicker(List<Node> eligible, long nowNanos) {
        if (eligible.isEmpty()) {
            return Picker.EMPTY;
        }
        Node[] nodes = eligible.toArray(new Node[0]);
        double[] inverse = new double[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            inverse[i] = 1.0 / Math.max(1e-9, nodes[i].effectiveWeight());
        }
        return nodes.length <= fullScanMaxNodes ? new ScanPicker(nodes, inverse, random) : new TwoChoicesPicker(nodes, inverse, random);
    }

    static double score(Node n, double inverseWeight) {
        return (n.inFlight() + 1) * inverseWeight;
    }

    /** Every node scored; reservoir sampling among equal best scores. */
    static final class ScanPicker implements Picker {
        private final Node[] nodes;
        private final double[] inverse;
        private final RandomSource random;

        ScanPicker(Node[] nodes, double[] inverse, RandomSource random) {
            this.nodes = nodes;
            this.inverse = inverse;
            this.random = random;
        }

        @Override
        public Node pick(PickContext ctx) {
            int best = 0;
            double bestScore = score(nodes[0], inverse[0]);
            int ties = 1;
            for (int i = 1; i < nodes.length; i++) {
                double s = score(nodes[i], inverse[i]);
                if (s < bestScore) {
                    best = i;
                    bestScore = s;
                    ties = 1;
                } else if (s == bestScore && random.nextInt(++ties) == 0) {
                    best = i;
                }
            }
            return nodes[best];
        }
    }

    /** Power of two choices. */
    static final class TwoChoicesPicker implements Picker {
        private final Node[] nodes;
        private final double[] inverse;
        private final RandomSource random;

        TwoChoicesPicker(Node[] nodes, double[] inverse, RandomSource random) {
            this.nodes = nodes;
            this.inverse = inverse;
            this.random = random;
        }

        @Override
        public Node pick(PickContext ctx) {
            int a = random.nextInt(nodes.length);
            int b = random.nextInt(nodes.length - 1);
            if (b >= a) {
                b++;
            }
            double sa = score(nodes[a], inverse[a]);
            double sb = score(nodes[b], inverse[b]);
            if (sa == sb) {
                return nodes[random.nextInt(2) == 0 ? a : b];
            }
            return nodes[sa < sb ? a : b];
        }
    }
}

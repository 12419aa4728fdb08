package dev.sluice.core.balance;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.upstream.Node;
import java.util.List;

/**
 * The balancers that pick the node of lowest cost, over every node of a small cluster (ties broken
 * at random) or, above {@code fullScanMaxNodes}, over two distinct random nodes (power of two
 * choices: O(1), and no herding of every event loop onto the same idle node). Pickers are
 * immutable over their node array (cost, random source and rule counts are the balancer's); costs
 * read the nodes' live counters.
 * <ul>
 *   <li>{@code least-connections}: {@code (inFlight + 1) / effectiveWeight}, so that weights count
 *       even when every node is idle;</li>
 *   <li>{@code peak-ewma} (Finagle's and Linkerd's): the node's {@link PeakEwma} latency estimate
 *       x {@code (inFlight + 1) / effectiveWeight}: a node that answers slowly, or piles up
 *       requests, costs more at once; weights and slow start scale the cost down for a ramping
 *       node.</li>
 * </ul>
 */
public final class CostBalancer implements Balancer {

    /** A node's cost now; {@code inverseWeight} is 1 / its effective weight when the picker was built. */
    @FunctionalInterface
    interface Cost {
        double of(Node n, double inverseWeight);
    }

    private final Cost cost;
    private final int fullScanMaxNodes;
    private final RandomSource random;
    private final PickRules rules = new PickRules();

    private CostBalancer(Cost cost, int fullScanMaxNodes, RandomSource random) {
        this.cost = cost;
        this.fullScanMaxNodes = fullScanMaxNodes;
        this.random = requireNonNull(random, "random");
    }

    public static CostBalancer leastConnections(int fullScanMaxNodes, RandomSource random) {
        return new CostBalancer((n, inverseWeight) -> (n.inFlight() + 1) * inverseWeight, fullScanMaxNodes, random);
    }

    public static CostBalancer peakEwma(int fullScanMaxNodes, RandomSource random) {
        return new CostBalancer((n, inverseWeight) -> n.latency().estimate() * (n.inFlight() + 1) * inverseWeight,
                fullScanMaxNodes, random);
    }

    @Override
    public PickRules rules() {
        return rules;
    }

    @Override
    public Picker newPicker(List<Node> eligible, long nowNanos) {
        if (eligible.isEmpty()) {
            return Picker.EMPTY;
        }
        Node[] nodes = eligible.toArray(new Node[0]);
        double[] inverse = inverseWeights(nodes);
        return nodes.length <= fullScanMaxNodes ? new Scan(nodes, inverse) : new TwoChoices(nodes, inverse);
    }

    /** 1 / each node's effective weight (a weight of 0 counts as 1e-9), as the pickers built now scale costs. */
    static double[] inverseWeights(Node[] nodes) {
        double[] inverse = new double[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            inverse[i] = 1.0 / Math.max(1e-9, nodes[i].effectiveWeight());
        }
        return inverse;
    }

    /** Every node scored; reservoir sampling among equal best scores. */
    final class Scan implements Picker {
        private final Node[] nodes;
        private final double[] inverse;

        Scan(Node[] nodes, double[] inverse) {
            this.nodes = nodes;
            this.inverse = inverse;
        }

        @Override
        public Node pick(PickContext ctx) {
            int best = 0;
            double bestScore = cost.of(nodes[0], inverse[0]);
            int ties = 1;
            for (int i = 1; i < nodes.length; i++) {
                double s = cost.of(nodes[i], inverse[i]);
                if (s < bestScore) {
                    best = i;
                    bestScore = s;
                    ties = 1;
                } else if (s == bestScore && random.nextInt(++ties) == 0) {
                    best = i;
                }
            }
            return rules.count(ctx, nodes[best], PickRule.WEIGHT);
        }
    }

    /** Power of two choices. */
    final class TwoChoices implements Picker {
        private final Node[] nodes;
        private final double[] inverse;

        TwoChoices(Node[] nodes, double[] inverse) {
            this.nodes = nodes;
            this.inverse = inverse;
        }

        @Override
        public Node pick(PickContext ctx) {
            int a = random.nextInt(nodes.length);
            int b = random.nextInt(nodes.length - 1);
            if (b >= a) {
                b++;
            }
            double sa = cost.of(nodes[a], inverse[a]);
            double sb = cost.of(nodes[b], inverse[b]);
            int winner = sa == sb ? (random.nextInt(2) == 0 ? a : b) : sa < sb ? a : b;
            return rules.count(ctx, nodes[winner], PickRule.WEIGHT);
        }
    }
}

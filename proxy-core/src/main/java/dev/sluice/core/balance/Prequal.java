package dev.sluice.core.balance;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.upstream.Node;
import java.util.List;

/**
 * The {@code prequal} balancer, after Google's Prequal (Wydrowski et al., NSDI 2024): the
 * hot-cold lexicographic rule over a pool of nodes. A node's load is its requests in flight (the
 * larger of Sluice's own count and the backend's reported {@code named_metrics.rif}), plus one,
 * per unit of effective weight; a node is hot when its load is above the pool's
 * {@code hotQuantile}. The request goes to the cold node with the lowest latency estimate; should
 * every node be hot, to the least loaded. The estimate is the backend's reported
 * {@code named_metrics.latency_ms} (the server's own view at its current load), else what Sluice
 * predicts for one more request: its {@link PeakEwma} latency x (in flight + 1). A plain latency
 * average would lag: in the simulation, every request then went to the few nodes whose queues had
 * not yet shown in their answers, and half the requests timed out. The pool is the whole cluster up to {@code poolSize}
 * nodes, else {@code poolSize} consecutive nodes from a random start.
 *
 * <p>Prequal's asynchronous probes are not built: the estimates come from the traffic itself and
 * the backends' load reports, which the cluster's refresh forgets once they are older than
 * {@link #REPORT_MAX_AGE_NANOS} (so a pick reads no clock). A pick reads each pool node twice (the
 * quantile, then the choice) and allocates nothing.
 */
public final class Prequal implements Balancer {

    /** Reported in-flight counts and latencies older than this are forgotten (Prequal ages its probes out as fast). */
    public static final long REPORT_MAX_AGE_NANOS = 1_000_000_000L;
    /** The quantile is found in one pass for up to this many hot slots (a pool of up to 22 at 0.84), else in several. */
    static final int FAST_SLOTS = 4;

    private final double hotQuantile;
    private final int poolSize;
    private final RandomSource random;
    private final PickRules rules = new PickRules();

    public Prequal(double hotQuantile, int poolSize, RandomSource random) {
        this.hotQuantile = hotQuantile;
        this.poolSize = poolSize;
        this.random = requireNonNull(random, "random");
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
        double[] inverse = CostBalancer.inverseWeights(nodes);
        int k = Math.min(nodes.length, poolSize);
        int hotSlots = k - 1 - (int) Math.floor(hotQuantile * (k - 1));
        return new HotCold(nodes, inverse, k, hotSlots, random, rules);
    }

    static final class HotCold implements Picker {
        private final Node[] nodes;
        private final double[] inverse;
        private final int pool;
        /** At most this many nodes of a pool are hot: those above its hotQuantile. */
        private final int hotSlots;
        private final RandomSource random;
        private final PickRules rules;

        HotCold(Node[] nodes, double[] inverse, int pool, int hotSlots, RandomSource random, PickRules rules) {
            this.nodes = nodes;
            this.inverse = inverse;
            this.pool = pool;
            this.hotSlots = hotSlots;
            this.random = random;
            this.rules = rules;
        }

        @Override
        public Node pick(PickContext ctx) {
            int n = nodes.length;
            int start = pool == n ? 0 : random.nextInt(n);
            double threshold = hotSlots < FAST_SLOTS ? topThreshold(start) : steppedThreshold(start);
            int best = -1;
            double bestLatency = Double.MAX_VALUE;
            double bestLoad = Double.MAX_VALUE;
            int leastLoaded = start;
            double least = Double.MAX_VALUE;
            for (int j = 0; j < pool; j++) {
                int i = index(start, j);
                double load = load(i);
                if (load < least) {
                    least = load;
                    leastLoaded = i;
                }
                if (load > threshold) {
                    continue; // hot
                }
                double latency = latency(nodes[i]);
                if (latency < bestLatency || (latency == bestLatency && load < bestLoad)) {
                    best = i;
                    bestLatency = latency;
                    bestLoad = load;
                }
            }
            return best >= 0 ? rules.count(ctx, nodes[best], PickRule.COLD_NODE) : rules.count(ctx, nodes[leastLoaded], PickRule.WEIGHT);
        }

        /**
         * The pool's load at its hot quantile, the {@code (hotSlots + 1)}-th largest with ties
         * counted, in one pass: the four largest loads kept in order in locals.
         */
        double topThreshold(int start) {
            double a = -1;
            double b = -1;
            double c = -1;
            double d = -1;
            for (int j = 0; j < pool; j++) {
                double x = load(index(start, j));
                if (x > d) {
                    if (x > a) {
                        d = c;
                        c = b;
                        b = a;
                        a = x;
                    } else if (x > b) {
                        d = c;
                        c = b;
                        b = x;
                    } else if (x > c) {
                        d = c;
                        c = x;
                    } else {
                        d = x;
                    }
                }
            }
            return hotSlots == 0 ? a : hotSlots == 1 ? b : hotSlots == 2 ? c : d;
        }

        /** As {@link #topThreshold}, for more hot slots: steps down through the distinct largest loads. */
        double steppedThreshold(int start) {
            double ceiling = Double.MAX_VALUE;
            int above = 0;
            while (true) {
                double max = -1;
                int count = 0;
                for (int j = 0; j < pool; j++) {
                    double load = load(index(start, j));
                    if (load < ceiling) {
                        if (load > max) {
                            max = load;
                            count = 1;
                        } else if (load == max) {
                            count++;
                        }
                    }
                }
                if (count == 0) {
                    return ceiling; // the loads moved while we looked: nothing below, call nobody else hot
                }
                above += count;
                if (above > hotSlots) {
                    return max;
                }
                ceiling = max;
            }
        }

        private int index(int start, int j) {
            int i = start + j;
            return i >= nodes.length ? i - nodes.length : i;
        }

        /** (in flight + 1) / effective weight, in flight being the larger of Sluice's count and a reported one. */
        private double load(int i) {
            Node node = nodes[i];
            return (Math.max(node.inFlight(), node.loadReport().inFlight()) + 1) * inverse[i];
        }

        /**
         * A reported latency, else the peak-EWMA latency x (Sluice's own in flight + 1): the
         * measured latency already holds the queueing every proxy's requests cause, so a reported
         * in-flight count would count those twice (in the simulation it made three replicas worse).
         */
        private static double latency(Node node) {
            double reported = node.loadReport().latencyMs();
            return reported >= 0 ? reported * 1e6 : node.latency().estimate() * (node.inFlight() + 1);
        }
    }
}

package dev.sluice.core.balance;

import dev.sluice.core.upstream.Node;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code drr} balancer: a smooth weighted rotation over the nodes' effective weights
 * (configured weight x slow start x adaptive factor), rebuilt whenever those weights change.
 *
 * <p>Implementation notes: effective weights are quantised to integers relative to the heaviest
 * node ({@link #RESOLUTION} steps), reduced by their gcd, and one period of a
 * {@link SmoothSchedule} is precomputed, so a pick is a single atomic increment into an array. The
 * cursor belongs to the balancer, not to a picker, so a rebuild continues the rotation instead of
 * restarting it. A period longer than {@link #MAX_PERIOD} is scaled down proportionally (each node
 * keeps at least one slot).
 */
public final class DynamicRoundRobin implements Balancer {

    /** Quantisation of effective weights: the heaviest node gets this many slots before the gcd. */
    static final int RESOLUTION = 100;
    /** Longest precomputed sequence; 64 Ki references per cluster at most. */
    static final int MAX_PERIOD = 1 << 16;

    private final AtomicLong cursor = new AtomicLong();
    private final PickRules rules = new PickRules();

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
        int[] order = SmoothSchedule.build(reduce(quantize(nodes)));
        Node[] schedule = new Node[order.length];
        for (int i = 0; i < order.length; i++) {
            schedule[i] = nodes[order[i]];
        }
        return new SchedulePicker(schedule, cursor, rules);
    }

    /** Effective weights as integers 1..RESOLUTION relative to the heaviest node. */
    static int[] quantize(Node[] nodes) {
        double max = 0;
        for (Node n : nodes) {
            max = Math.max(max, n.effectiveWeight());
        }
        int[] q = new int[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            q[i] = max <= 0 ? 1 : Math.max(1, (int) Math.round(nodes[i].effectiveWeight() / max * RESOLUTION));
        }
        return q;
    }

    /** Divides by the gcd, then scales the sum down to at most {@link #MAX_PERIOD}. */
    static int[] reduce(int[] weights) {
        int g = 0;
        long sum = 0;
        for (int x : weights) {
            g = gcd(g, x);
            sum += x;
        }
        int[] out = new int[weights.length];
        double scale = sum / g > MAX_PERIOD ? (double) MAX_PERIOD / (sum / g) : 1.0;
        for (int i = 0; i < weights.length; i++) {
            out[i] = Math.max(1, (int) Math.round(weights[i] / g * scale));
        }
        return out;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** One atomic increment into a precomputed sequence. */
    static final class SchedulePicker implements Picker {
        private final Node[] schedule;
        private final AtomicLong cursor;
        private final PickRules rules;

        SchedulePicker(Node[] schedule, AtomicLong cursor, PickRules rules) {
            this.schedule = schedule;
            this.cursor = cursor;
            this.rules = rules;
        }

        @Override
        public Node pick(PickContext ctx) {
            long i = cursor.getAndIncrement();
            return rules.count(ctx, schedule[(int) Long.remainderUnsigned(i, schedule.length)], PickRule.WEIGHT);
        }
    }
}

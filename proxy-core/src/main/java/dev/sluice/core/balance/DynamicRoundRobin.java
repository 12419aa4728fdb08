package dev.sluice.core.balance;

import dev.sluice.core.http.RequestContext;
import dev.sluice.core.upstream.Node;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code drr} balancer: smooth weighted round robin (the nginx algorithm) over the nodes'
 * weights, so that with weights 5:1:1 the picks interleave instead of arriving in bursts.
 *
 * <p>Implementation notes: smooth weighted round robin is stateful (every node's "current" weight
 * moves on each pick), which would need a lock per pick. Instead the whole period of the sequence is
 * computed once when the picker is built, and a pick is one atomic increment into that array. The
 * cursor is owned by the balancer and survives picker rebuilds, so frequent rebuilds do not bias
 * picks toward the start of the sequence. Weights are reduced by their greatest common divisor,
 * and a period longer than {@link #MAX_PERIOD} is scaled down proportionally (each node keeps at
 * least one slot).
 */
public final class DynamicRoundRobin implements Balancer {

    /** Longest precomputed sequence; 64 Ki references per cluster at most. */
    static final int MAX_PERIOD = 1 << 16;

    private final AtomicLong cursor = new AtomicLong();

    @Override
    public Picker newPicker(List<Node> eligible, long nowNanos) {
        if (eligible.isEmpty()) {
            return Picker.EMPTY;
        }
        int[] weights = new int[eligible.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.max(1, eligible.get(i).weight());
        }
        Node[] nodes = eligible.toArray(new Node[0]);
        return new SchedulePicker(schedule(nodes, weights), cursor);
    }

    /** The smooth weighted round-robin sequence for one period. */
    static Node[] schedule(Node[] nodes, int[] weights) {
        int[] w = reduce(weights);
        long total = 0;
        for (int x : w) {
            total += x;
        }
        Node[] out = new Node[(int) total];
        long[] current = new long[w.length];
        for (int slot = 0; slot < out.length; slot++) {
            int best = 0;
            for (int i = 0; i < w.length; i++) {
                current[i] += w[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            out[slot] = nodes[best];
        }
        return out;
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

        SchedulePicker(Node[] schedule, AtomicLong cursor) {
            this.schedule = schedule;
            this.cursor = cursor;
        }

        @Override
        public Node pick(RequestContext ctx) {
            long i = cursor.getAndIncrement();
            return schedule[(int) Long.remainderUnsigned(i, schedule.length)];
        }
    }
}

package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.OrcaText;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Prequal's hot-cold rule, on a driven clock. */
class PrequalTest {

    private static final long MS = 1_000_000L;
    private final FakeTicker clock = new FakeTicker();
    private final long t0 = clock.nanoTime();

    private static void inFlight(Node n, int k) {
        for (int i = 0; i < k; i++) {
            n.beginRequest();
        }
    }

    private void latency(Node n, long ms) {
        n.latency().observe(t0, ms * MS);
        n.latency().observe(t0, ms * MS);
    }

    @Test
    void theColdNodeWithTheLowestLatencyWins() {
        List<Node> nodes = Nodes.withWeights(1, 1, 1, 1);
        latency(nodes.get(0), 5);
        latency(nodes.get(1), 20);
        latency(nodes.get(2), 10);
        latency(nodes.get(3), 40);
        Picker p = new Prequal(0.84, 16, seeded()).newPicker(nodes, t0);
        assertSame(nodes.get(0), p.pick(null));
    }

    @Test
    void aHotNodeLosesThoughItIsTheFastest() {
        List<Node> nodes = Nodes.withWeights(1, 1, 1, 1);
        latency(nodes.get(0), 1);
        latency(nodes.get(1), 20);
        latency(nodes.get(2), 10);
        latency(nodes.get(3), 40);
        inFlight(nodes.get(0), 6); // 1 ms x 7 still beats 10 ms x 1, but 4 nodes at 0.84: the single largest load is hot
        Picker p = new Prequal(0.84, 16, seeded()).newPicker(nodes, t0);
        assertSame(nodes.get(2), p.pick(null));
    }

    @Test
    void theEstimateIsLatencyTimesInFlightPlusOne() {
        List<Node> nodes = Nodes.withWeights(1, 1, 1, 1, 1);
        latency(nodes.get(0), 5);
        latency(nodes.get(1), 8);
        inFlight(nodes.get(0), 1); // 5 x 2 = 10 against 8 x 1; nobody is hot with q = 1
        Picker p = new Prequal(1.0, 16, seeded()).newPicker(nodes.subList(0, 2), t0);
        assertSame(nodes.get(1), p.pick(null));
    }

    @Test
    void tiesAtTheQuantileAreCold() {
        List<Node> nodes = Nodes.withWeights(1, 1, 1);
        latency(nodes.get(0), 2);
        latency(nodes.get(1), 20);
        latency(nodes.get(2), 10);
        inFlight(nodes.get(0), 3);
        inFlight(nodes.get(1), 3); // 0 and 1 share the largest load: neither is above the quantile, so 2 x 4 beats 10 x 1
        Picker p = new Prequal(0.84, 16, seeded()).newPicker(nodes, t0);
        assertSame(nodes.get(0), p.pick(null));
    }

    @Test
    void aLowerQuantileCallsMoreNodesHot() {
        List<Node> nodes = Nodes.withWeights(1, 1, 1, 1, 1);
        int[] ms = {1, 2, 3, 10, 20};
        for (int i = 0; i < 5; i++) {
            latency(nodes.get(i), ms[i]);
            inFlight(nodes.get(i), 4 - i); // estimates 5, 8, 9, 20, 20: the busiest look the fastest
        }
        Picker p = new Prequal(0.5, 16, seeded()).newPicker(nodes, t0); // above the median is hot: 0 and 1
        assertSame(nodes.get(2), p.pick(null));
        Picker none = new Prequal(1.0, 16, seeded()).newPicker(nodes, t0); // nobody is hot
        assertSame(nodes.get(0), none.pick(null));
    }

    @Test
    void aReportedInFlightCountCountsWhileFresh() {
        List<Node> nodes = Nodes.withWeights(1, 1, 1);
        latency(nodes.get(0), 5);
        latency(nodes.get(1), 20);
        latency(nodes.get(2), 10);
        OrcaText.parse("TEXT named_metrics.rif=50", nodes.get(0).loadReport(), t0); // busy with other proxies' requests
        Picker p = new Prequal(0.84, 16, seeded()).newPicker(nodes, t0);
        assertSame(nodes.get(2), p.pick(null));
        clock.advance(java.time.Duration.ofSeconds(2));
        nodes.get(0).loadReport().age(clock.nanoTime(), Prequal.REPORT_MAX_AGE_NANOS); // what the cluster's refresh does
        assertSame(nodes.get(0), p.pick(null));
    }

    @Test
    void aReportedLatencyWinsOverTheOwnEstimate() {
        List<Node> nodes = Nodes.withWeights(1, 1);
        latency(nodes.get(0), 5);
        latency(nodes.get(1), 20);
        OrcaText.parse("TEXT named_metrics.latency_ms=50", nodes.get(0).loadReport(), t0);
        Picker p = new Prequal(0.84, 16, seeded()).newPicker(nodes, t0);
        assertSame(nodes.get(1), p.pick(null));
    }

    @Test
    void aStalledNodeGetsAlmostNothingOnceHot() {
        List<Node> nodes = Nodes.withWeights(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        for (Node n : nodes) {
            latency(n, 10);
            inFlight(n, 2);
        }
        latency(nodes.get(0), 9); // the stalled node was the fastest
        Picker p = new Prequal(0.84, 16, seeded()).newPicker(nodes, t0);
        int sent = 0;
        for (int i = 0; i < 10_000; i++) {
            Node n = p.pick(null);
            n.beginRequest();
            if (n == nodes.get(0)) {
                sent++;
            } else {
                n.endRequest(); // everybody else answers at once
            }
        }
        // It is picked until it stands alone above the rest (11 nodes at 0.84: two hot slots), then never.
        assertEquals(1, sent);
    }

    @Test
    void theOnePassQuantileIsTheSteppedOne() {
        SplittableRandom r = new SplittableRandom(17);
        for (int round = 0; round < 2000; round++) {
            int k = 2 + r.nextInt(15);
            int[] weights = new int[k];
            java.util.Arrays.fill(weights, 1 + r.nextInt(3));
            List<Node> nodes = Nodes.withWeights(weights);
            for (Node n : nodes) {
                inFlight(n, r.nextInt(6)); // few distinct values: ties everywhere
            }
            double q = r.nextDouble();
            Prequal.HotCold p = (Prequal.HotCold) new Prequal(q, 16, seeded()).newPicker(nodes, t0);
            int hotSlots = k - 1 - (int) Math.floor(q * (k - 1));
            if (hotSlots < Prequal.FAST_SLOTS) {
                assertEquals(p.steppedThreshold(0), p.topThreshold(0), "k=" + k + " q=" + q);
            }
        }
    }

    private static RandomSource seeded() {
        SplittableRandom r = new SplittableRandom(11);
        return r::nextInt;
    }
}

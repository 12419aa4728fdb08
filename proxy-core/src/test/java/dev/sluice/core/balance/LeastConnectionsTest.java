package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Node;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {

    private static RandomSource seeded(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return r::nextInt;
    }

    @Test
    void prefersTheIdleNode() {
        List<Node> nodes = Nodes.withWeights(1, 1, 1);
        nodes.get(0).beginRequest();
        nodes.get(2).beginRequest();
        nodes.get(2).beginRequest();
        Picker p = CostBalancer.leastConnections(10, seeded(1)).newPicker(nodes, 0);
        for (int i = 0; i < 100; i++) {
            assertSame(nodes.get(1), p.pick(null));
        }
    }

    @Test
    void inFlightIsComparedPerUnitOfWeight() {
        List<Node> nodes = Nodes.withWeights(1, 4);
        for (int i = 0; i < 3; i++) {
            nodes.get(1).beginRequest(); // (3+1)/4 = 1.0 against (0+1)/1 = 1.0: a tie
        }
        Picker p = CostBalancer.leastConnections(10, seeded(2)).newPicker(nodes, 0);
        Map<Node, Integer> counts = new IdentityHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            counts.merge(p.pick(null), 1, Integer::sum);
        }
        assertEquals(0.5, counts.get(nodes.get(0)) / 10_000.0, 0.03, "ties are broken at random");
        nodes.get(1).beginRequest(); // 5/4 > 1
        assertSame(nodes.get(0), p.pick(null));
    }

    @Test
    void largeClustersUsePowerOfTwoChoicesAndStillSpreadLoadEvenly() {
        AtomicInteger total = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(total, ones(50));
        Picker p = CostBalancer.leastConnections(10, seeded(3)).newPicker(nodes, 0);
        assertTrue(p instanceof CostBalancer.TwoChoices);
        for (int i = 0; i < 500; i++) {
            p.pick(null).beginRequest();
        }
        int max = 0;
        for (Node n : nodes) {
            max = Math.max(max, n.inFlight());
        }
        assertTrue(max <= 10 + 3, "power of two choices keeps the busiest node near the mean of 10, got " + max);
    }

    /** 100k requests that complete, fail or are reset in random order: in-flight counts never drift. */
    @Test
    void inFlightCountsNeverDrift() {
        AtomicInteger total = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(total, 1, 2, 3, 1);
        Picker p = CostBalancer.leastConnections(10, seeded(4)).newPicker(nodes, 0);
        SplittableRandom r = new SplittableRandom(5);
        ArrayDeque<Node> open = new ArrayDeque<>();
        Map<Node, Integer> expected = new IdentityHashMap<>();
        for (int i = 0; i < 100_000; i++) {
            Node n = p.pick(null);
            n.beginRequest();
            n.recordResponse(1_000_000, false);
            open.add(n);
            expected.merge(n, 1, Integer::sum);
            while (!open.isEmpty() && r.nextInt(3) == 0) { // completion, error or reset: each ends the request once
                Node done = r.nextBoolean() ? open.pollFirst() : open.pollLast();
                if (r.nextInt(10) == 0) {
                    done.recordFailure(1_000_000);
                }
                done.endRequest();
                expected.merge(done, -1, Integer::sum);
            }
            if (i % 997 == 0) {
                for (Node x : nodes) {
                    assertEquals((int) expected.getOrDefault(x, 0), x.inFlight());
                }
                assertEquals(open.size(), total.get());
            }
        }
        while (!open.isEmpty()) {
            open.poll().endRequest();
        }
        for (Node x : nodes) {
            assertEquals(0, x.inFlight());
        }
        assertEquals(0, total.get());
    }

    private static int[] ones(int n) {
        int[] w = new int[n];
        java.util.Arrays.fill(w, 1);
        return w;
    }
}

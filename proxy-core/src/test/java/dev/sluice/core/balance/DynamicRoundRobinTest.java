package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Node;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DynamicRoundRobinTest {

    private static Map<Node, Integer> count(Picker p, int n) {
        Map<Node, Integer> counts = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(p.pick(null), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void sharesFollowWeightsExactlyOverWholePeriods() {
        List<Node> nodes = Nodes.withWeights(1, 2, 3, 4);
        Map<Node, Integer> counts = count(new DynamicRoundRobin().newPicker(nodes, 0), 100_000);
        for (int i = 0; i < 4; i++) {
            assertEquals(10_000 * (i + 1), counts.get(nodes.get(i)));
        }
    }

    @Test
    void picksInterleaveInsteadOfBursting() {
        List<Node> nodes = Nodes.withWeights(5, 1, 1);
        Picker p = new DynamicRoundRobin().newPicker(nodes, 0);
        Node previous = null;
        int run = 0;
        int longest = 0;
        for (int i = 0; i < 7_000; i++) {
            Node n = p.pick(null);
            run = n == previous ? run + 1 : 1;
            longest = Math.max(longest, run);
            previous = n;
        }
        // Smooth WRR over 5:1:1 yields a a b a c a a: within a period the heavy node runs at most 2,
        // across the wrap (a a | a a) 4. A plain weighted rotation (a a a a a b c) would run 5 and more.
        assertEquals(4, longest);
    }

    @Test
    void scheduleIsTheNginxSequence() {
        List<Node> n = Nodes.withWeights(5, 1, 1);
        Node[] s = DynamicRoundRobin.schedule(n.toArray(new Node[0]), new int[] {5, 1, 1});
        Node a = n.get(0);
        Node b = n.get(1);
        Node c = n.get(2);
        assertEquals(List.of(a, a, b, a, c, a, a), List.of(s));
    }

    @Test
    void emptyClusterPicksNobody() {
        assertSame(Picker.EMPTY, new DynamicRoundRobin().newPicker(List.of(), 0));
        assertNull(Picker.EMPTY.pick(null));
    }

    @Test
    void weightsAreReducedByTheirGcdAndLongPeriodsScaledDown() {
        assertEquals(List.of(1, 2), List.of(box(DynamicRoundRobin.reduce(new int[] {300, 600}))));
        int[] big = DynamicRoundRobin.reduce(new int[] {10_000, 9_999, 1, 7_777, 10_000, 10_000, 10_000, 10_000});
        long sum = 0;
        for (int w : big) {
            sum += w;
            assertTrue(w >= 1);
        }
        assertTrue(sum <= DynamicRoundRobin.MAX_PERIOD + big.length, "period " + sum);
    }

    @Test
    void cursorSurvivesPickerRebuilds() {
        List<Node> nodes = Nodes.withWeights(1, 1);
        DynamicRoundRobin drr = new DynamicRoundRobin();
        Node first = drr.newPicker(nodes, 0).pick(null);
        Node second = drr.newPicker(nodes, 0).pick(null);
        assertTrue(first != second, "a rebuilt picker must continue the rotation, not restart it");
    }

    private static Integer[] box(int[] a) {
        Integer[] out = new Integer[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}

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

    static Map<Node, Integer> count(Picker p, int n) {
        Map<Node, Integer> counts = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(p.pick(null), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void sharesFollowWeightsWithinTwoPointsOver100kPicks() {
        List<Node> nodes = Nodes.withWeights(1, 2, 3, 4);
        Map<Node, Integer> counts = count(new DynamicRoundRobin().newPicker(nodes, 0), 100_000);
        for (int i = 0; i < 4; i++) {
            double share = counts.get(nodes.get(i)) / 100_000.0;
            assertEquals((i + 1) / 10.0, share, 0.02);
        }
    }

    @Test
    void noNodeRunsLongerThanItsBoundAcrossManyPeriods() {
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
        assertEquals(3, longest, "5:1:1 can do no better than ceil(5/2) = 3 in a row, and must not do worse");
    }

    @Test
    void emptyClusterPicksNobody() {
        assertSame(Picker.EMPTY, new DynamicRoundRobin().newPicker(List.of(), 0));
        assertNull(Picker.EMPTY.pick(null));
    }

    @Test
    void weightsAreReducedByTheirGcdAndLongPeriodsScaledDown() {
        int[] r = DynamicRoundRobin.reduce(new int[] {300, 600});
        assertEquals(1, r[0]);
        assertEquals(2, r[1]);
        int[] big = new int[2000];
        java.util.Arrays.fill(big, 97);
        big[0] = 100;
        long sum = 0;
        for (int w : DynamicRoundRobin.reduce(big)) {
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
}

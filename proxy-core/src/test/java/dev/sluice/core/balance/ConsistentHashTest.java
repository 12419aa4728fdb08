package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.http.KeyRegion;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.testing.Zipf;
import dev.sluice.core.upstream.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConsistentHashTest {

    private static long[] keys(int n) {
        long[] h = new long[n];
        for (int i = 0; i < n; i++) {
            h[i] = KeyRegion.hash("user-" + i);
        }
        return h;
    }

    private static int[] owners(Picker p, List<Node> nodes, long[] keys) {
        int[] out = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = nodes.indexOf(p.pick(key(keys[i])));
        }
        return out;
    }

    @Test
    void sameKeySameNode() {
        AtomicInteger total = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(total, 1, 1, 1, 1);
        Picker p = new ConsistentHash(160, 1.25, total).newPicker(nodes, 0);
        PickContext rc = key(KeyRegion.hash("alice"));
        Node first = p.pick(rc);
        for (int i = 0; i < 1000; i++) {
            assertSame(first, p.pick(rc));
        }
    }

    @Test
    void addingOrRemovingOneOfTenNodesMovesAboutATenthOfTheKeys() {
        AtomicInteger total = new AtomicInteger();
        List<Node> eleven = Nodes.withWeights(total, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        List<Node> ten = eleven.subList(0, 10);
        long[] keys = keys(100_000);
        int[] before = owners(new ConsistentHash(160, 0, total).newPicker(ten, 0), ten, keys);

        int[] removed = owners(new ConsistentHash(160, 0, total).newPicker(new ArrayList<>(ten.subList(1, 10)), 0), ten, keys);
        int moved = 0;
        for (int i = 0; i < keys.length; i++) {
            if (before[i] != removed[i]) {
                moved++;
                assertEquals(0, before[i], "only the removed node's keys may move");
            }
        }
        assertTrue(moved >= 7_000 && moved <= 13_000, "removing 1 of 10 moved " + moved + " of 100000 keys");

        int[] added = owners(new ConsistentHash(160, 0, total).newPicker(eleven, 0), eleven, keys);
        moved = 0;
        for (int i = 0; i < keys.length; i++) {
            if (before[i] != added[i]) {
                moved++;
                assertEquals(10, added[i], "keys may only move to the new node");
            }
        }
        assertTrue(moved >= 7_000 && moved <= 13_000, "adding an 11th node moved " + moved + " of 100000 keys");
    }

    /** Result of one simulated run: the worst in-flight of the chosen node against the bound at pick time. */
    record Peak(double worstExcess, int peakInFlight) {
    }

    /**
     * 1M requests with Zipf(1.1) keys over 10 nodes; each holds its node for an exponential service
     * time (mean 40 arrivals, so about 40 in flight). Measured at every pick: the chosen node's
     * in-flight against balanceFactor x mean + 1.
     */
    static Peak simulate(double balanceFactor, long seed) {
        AtomicInteger total = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(total, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Picker p = new ConsistentHash(160, balanceFactor, total).newPicker(nodes, 0);
        long[] keys = keys(10_000);
        Zipf zipf = new Zipf(keys.length, 1.1, seed);
        SplittableRandom service = new SplittableRandom(seed + 1);
        PriorityQueue<long[]> completions = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        double worst = Double.NEGATIVE_INFINITY;
        int peak = 0;
        double c = balanceFactor > 0 ? balanceFactor : 1.25;
        for (long now = 0; now < 1_000_000; now++) {
            while (!completions.isEmpty() && completions.peek()[0] <= now) {
                nodes.get((int) completions.poll()[1]).endRequest();
            }
            Node n = p.pick(key(keys[zipf.next()]));
            n.beginRequest();
            double mean = total.get() / 10.0;
            worst = Math.max(worst, n.inFlight() - (c * mean + 1));
            peak = Math.max(peak, n.inFlight());
            long done = now + 1 + (long) (-Math.log(1 - service.nextDouble()) * 40);
            completions.add(new long[] {done, nodes.indexOf(n)});
        }
        return new Peak(worst, peak);
    }

    @Test
    void boundedLoadsKeepTheBusiestNodeUnderTheBoundWherePlainHashingExceedsIt() {
        Peak bounded = simulate(1.25, 42);
        assertTrue(bounded.worstExcess() <= 1e-9, "bounded loads exceeded 1.25 x mean + 1 by " + bounded.worstExcess());
        Peak plain = simulate(0, 42);
        assertTrue(plain.worstExcess() > 5, "plain hashing should overload the hot key's node, excess " + plain.worstExcess());
        assertTrue(plain.peakInFlight() > 2 * bounded.peakInFlight(), plain + " vs " + bounded);
    }

    @Test
    void aRampingNodeGetsAProportionallyLowerBound() {
        AtomicInteger total = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(total, 1, 1);
        nodes.get(1).publishWeight(0.25, 0.25); // a quarter of the way into slow start
        Picker p = new ConsistentHash(160, 1.0, total).newPicker(nodes, 0);
        long[] keys = keys(20_000);
        int onRamping = 0;
        for (long k : keys) { // every request stays in flight: the bound alone decides
            Node n = p.pick(key(k));
            n.beginRequest();
            onRamping += n == nodes.get(1) ? 1 : 0;
        }
        assertEquals(0.2, onRamping / 20_000.0, 0.01, "share 0.25 / 1.25 of the load");
    }

    private static PickContext key(long hash) {
        return () -> hash;
    }
}

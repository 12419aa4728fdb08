package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HotSpotFeedbackTest {

    /** Ten seconds in which node 0 completes {@code hotQps} requests a second and the others 10. */
    private static void load(FakeTicker t, List<Node> nodes, Cluster c, int hotQps) {
        for (int s = 0; s < 10; s++) {
            for (int i = 0; i < nodes.size(); i++) {
                for (int k = 0; k < (i == 0 ? hotQps : 10); k++) {
                    nodes.get(i).recordResponse(t.nanoTime(), 1_000_000, false);
                }
            }
            t.advance(Duration.ofSeconds(1));
            c.refresh(t.nanoTime());
        }
    }

    @Test
    void aHotNodeLosesWeightWhileHotAndGetsItBackWhenItCools() {
        FakeTicker t = new FakeTicker();
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1);
        Cluster c = new Cluster(Nodes.cluster("{ name: c, adaptiveWeights: { enabled: false } }"), nodes, new DynamicRoundRobin(),
                inFlight, t.nanoTime());
        c.hotSpotFactor(1.3);
        c.hotWeightFactor(0.5);
        load(t, nodes, c, 40); // mean 20, node 0 at 40 > 1.3 x 20
        assertTrue(nodes.get(0).hot());
        assertEquals(0.5, nodes.get(0).effectiveWeight(), 1e-9);
        int picks = 0;
        for (int i = 0; i < 10_000; i++) {
            picks += c.pick(null) == nodes.get(0) ? 1 : 0;
        }
        assertEquals(0.5 / 2.5, picks / 10_000.0, 0.01);

        load(t, nodes, c, 14); // mean 11.3: 14 is above the cooling line (1.15 x 11.3 = 13.0): still hot
        assertTrue(nodes.get(0).hot(), "hysteresis: no flapping right at the threshold");
        load(t, nodes, c, 10);
        assertFalse(nodes.get(0).hot());
        assertEquals(1.0, nodes.get(0).effectiveWeight(), 1e-9);
    }

    @Test
    void aHeavierNodeCarryingItsShareIsNotHot() {
        FakeTicker t = new FakeTicker();
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 2, 1, 1);
        Cluster c = new Cluster(Nodes.cluster("{ name: c, adaptiveWeights: { enabled: false } }"), nodes, new DynamicRoundRobin(),
                inFlight, t.nanoTime());
        load(t, nodes, c, 20); // weight 2 at 20 req/s, the others at 10: everyone at its share
        assertFalse(nodes.get(0).hot(), "twice the traffic for twice the weight is not a hot spot");
        load(t, nodes, c, 40); // now at 4x the others per unit of weight... 2x its share
        assertTrue(nodes.get(0).hot());
    }

    @Test
    void withoutFeedbackTheFlagIsOnlyReported() {
        FakeTicker t = new FakeTicker();
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1);
        Cluster c = new Cluster(Nodes.cluster("{ name: c, adaptiveWeights: { enabled: false } }"), nodes, new DynamicRoundRobin(),
                inFlight, t.nanoTime());
        load(t, nodes, c, 40);
        assertTrue(nodes.get(0).hot());
        assertEquals(1.0, nodes.get(0).effectiveWeight(), 1e-9);
    }
}

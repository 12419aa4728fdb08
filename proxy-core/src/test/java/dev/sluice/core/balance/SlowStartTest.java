package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.config.model.ClusterConfig;
import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SlowStartTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void factorFollowsEnvoysFormula() {
        var linear = Nodes.cluster("{ name: c, slowStart: { window: 30s, minWeightPercent: 10 } }").slowStart();
        long t0 = Long.MAX_VALUE - 10 * SECOND; // near overflow on purpose
        assertEquals(0.10, SlowStart.factor(linear, t0, t0), 1e-9);
        assertEquals(0.10, SlowStart.factor(linear, t0, t0 + 3 * SECOND), 1e-9, "floored at minWeightPercent");
        assertEquals(0.50, SlowStart.factor(linear, t0, t0 + 15 * SECOND), 1e-9);
        assertEquals(1.00, SlowStart.factor(linear, t0, t0 + 30 * SECOND), 1e-9);
        assertEquals(1.00, SlowStart.factor(linear, SlowStart.WARM, t0), 1e-9);

        var aggressive = Nodes.cluster("{ name: c, slowStart: { window: 30s, minWeightPercent: 10, aggression: 2.0 } }").slowStart();
        assertEquals(Math.sqrt(0.5), SlowStart.factor(aggressive, t0, t0 + 15 * SECOND), 1e-9);
        var off = Nodes.cluster("{ name: c, slowStart: { window: 0s } }").slowStart();
        assertEquals(1.0, SlowStart.factor(off, t0, t0), 1e-9);
    }

    /** A new node next to a warm one: its share of picks is f / (1 + f) at 0, window/2 and window. */
    @Test
    void drrShareOfARampingNodeMatchesTheFormula() {
        ClusterConfig config = Nodes.cluster("{ name: c, slowStart: { window: 30s, minWeightPercent: 10 }, adaptiveWeights: { enabled: false } }");
        FakeTicker ticker = new FakeTicker();
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1);
        Node fresh = nodes.get(1);
        fresh.startSlowStart(ticker.nanoTime());
        Cluster cluster = new Cluster(config, nodes, new DynamicRoundRobin(), inFlight, ticker.nanoTime());
        long elapsed = 0;
        for (double[] at : new double[][] {{0, 0.10}, {15, 0.50}, {30, 1.0}}) {
            ticker.advance(Duration.ofSeconds((long) at[0] - elapsed));
            elapsed = (long) at[0];
            cluster.refresh(ticker.nanoTime());
            assertEquals(at[1], fresh.slowStartFactor(), 1e-9);
            int freshPicks = 0;
            for (int i = 0; i < 100_000; i++) {
                if (cluster.pick(null) == fresh) {
                    freshPicks++;
                }
            }
            double expected = at[1] / (1 + at[1]);
            assertEquals(expected, freshPicks / 100_000.0, 0.01, "at " + at[0] + "s");
        }
    }

    @Test
    void nodesPresentAtStartAreWarmUnlessConfigured() {
        FakeTicker ticker = new FakeTicker();
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> warm = Nodes.withWeights(inFlight, 1, 1);
        new Cluster(Nodes.cluster("{ name: c }"), warm, new DynamicRoundRobin(), inFlight, ticker.nanoTime());
        assertEquals(1.0, warm.get(0).slowStartFactor());
        List<Node> ramping = Nodes.withWeights(inFlight, 1, 1);
        new Cluster(Nodes.cluster("{ name: c, slowStart: { rampOnStart: true } }"), ramping, new DynamicRoundRobin(),
                inFlight, ticker.nanoTime());
        assertEquals(0.1, ramping.get(0).slowStartFactor(), 1e-9);
    }
}

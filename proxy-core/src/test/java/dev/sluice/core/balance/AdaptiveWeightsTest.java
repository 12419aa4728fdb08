package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdaptiveWeightsTest {

    private static final long MS = 1_000_000L;

    private static void serve(List<Node> nodes, long[] latencyMs, double[] errorRate, int perNode) {
        for (int i = 0; i < nodes.size(); i++) {
            int errors = (int) Math.round(perNode * errorRate[i]);
            for (int k = 0; k < perNode; k++) {
                nodes.get(i).recordResponse(latencyMs[i] * MS, k < errors);
            }
        }
    }

    @Test
    void aSlowNodeLosesWeightAndGetsItBackAsItRecovers() {
        FakeTicker ticker = new FakeTicker();
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1);
        Cluster cluster = new Cluster(Nodes.cluster("{ name: c }"), nodes, new DynamicRoundRobin(), inFlight, ticker.nanoTime());
        for (int tick = 0; tick < 40; tick++) { // 10 s of 250 ms ticks with node 2 ten times slower
            serve(nodes, new long[] {10, 10, 100}, new double[] {0, 0, 0}, 20);
            cluster.refresh(ticker.advance(Duration.ofMillis(250)).nanoTime());
        }
        // latencyFactor = 1.5 x 10 / 100 = 0.15
        assertEquals(0.15, nodes.get(2).adaptiveFactor(), 0.02);
        assertEquals(1.0, nodes.get(0).adaptiveFactor(), 1e-9);
        int slowPicks = 0;
        for (int i = 0; i < 10_000; i++) {
            slowPicks += cluster.pick(null) == nodes.get(2) ? 1 : 0;
        }
        assertEquals(0.15 / 2.15, slowPicks / 10_000.0, 0.02);

        // It recovers. With a 5 s half-life, from 10x slower to within 1.5x of the median takes
        // log2(90 / 5) = 4.2 half-lives: partly back after 5 s, fully after 30 s.
        double before = nodes.get(2).adaptiveFactor();
        for (int tick = 0; tick < 20; tick++) {
            serve(nodes, new long[] {10, 10, 10}, new double[] {0, 0, 0}, 20);
            cluster.refresh(ticker.advance(Duration.ofMillis(250)).nanoTime());
        }
        double after5s = nodes.get(2).adaptiveFactor();
        assertTrue(after5s > before && after5s < 1.0, before + " -> " + after5s);
        for (int tick = 0; tick < 100; tick++) {
            serve(nodes, new long[] {10, 10, 10}, new double[] {0, 0, 0}, 20);
            cluster.refresh(ticker.advance(Duration.ofMillis(250)).nanoTime());
        }
        assertEquals(1.0, nodes.get(2).adaptiveFactor(), 1e-9);
    }

    @Test
    void aFailingNodeLosesWeightButModestNoiseIsTolerated() {
        FakeTicker ticker = new FakeTicker();
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1);
        Cluster cluster = new Cluster(Nodes.cluster("{ name: c }"), nodes, new DynamicRoundRobin(), inFlight, ticker.nanoTime());
        for (int tick = 0; tick < 60; tick++) {
            serve(nodes, new long[] {10, 10, 10}, new double[] {0.0, 0.04, 0.5}, 50);
            cluster.refresh(ticker.advance(Duration.ofMillis(250)).nanoTime());
        }
        assertEquals(1.0, nodes.get(1).adaptiveFactor(), 1e-9, "4% errors is within errorTolerance");
        // errorFactor = 1 - 2 x (0.5 - 0.04 - 0.05) = 0.18
        assertEquals(0.18, nodes.get(2).adaptiveFactor(), 0.02);
    }

    @Test
    void aNodeWithoutSamplesDriftsBackTowardItsPeers() {
        FakeTicker ticker = new FakeTicker();
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1);
        Cluster cluster = new Cluster(Nodes.cluster("{ name: c }"), nodes, new DynamicRoundRobin(), inFlight, ticker.nanoTime());
        for (int tick = 0; tick < 20; tick++) {
            serve(nodes, new long[] {10, 10, 200}, new double[] {0, 0, 0}, 20);
            cluster.refresh(ticker.advance(Duration.ofMillis(250)).nanoTime());
        }
        assertTrue(nodes.get(2).adaptiveFactor() < 0.2);
        for (int tick = 0; tick < 120; tick++) { // 30 s in which node 2 gets no traffic at all
            serve(nodes.subList(0, 2), new long[] {10, 10}, new double[] {0, 0}, 20);
            cluster.refresh(ticker.advance(Duration.ofMillis(250)).nanoTime());
        }
        assertEquals(1.0, nodes.get(2).adaptiveFactor(), 1e-9);
    }

    @Test
    void disabledMeansConfiguredWeightTimesSlowStartOnly() {
        FakeTicker ticker = new FakeTicker();
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 3);
        Cluster cluster = new Cluster(Nodes.cluster("{ name: c, adaptiveWeights: { enabled: false } }"), nodes,
                new DynamicRoundRobin(), inFlight, ticker.nanoTime());
        for (int tick = 0; tick < 20; tick++) {
            serve(nodes, new long[] {10, 1000}, new double[] {0, 1}, 20);
            cluster.refresh(ticker.advance(Duration.ofMillis(250)).nanoTime());
        }
        assertEquals(3.0, nodes.get(1).effectiveWeight(), 1e-9);
    }
}

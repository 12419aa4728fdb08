package dev.sluice.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.balance.DynamicRoundRobin;
import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutlierEjectionTest {

    private final FakeTicker ticker = new FakeTicker();

    private Cluster cluster(List<Node> nodes, AtomicInteger inFlight, String extra) {
        Cluster c = new Cluster(Nodes.cluster("{ name: c, adaptiveWeights: { enabled: false }, slowStart: { window: 10s }, "
                + "outlierDetection: { consecutiveFailures: 5, baseEjection: 30s, maxEjectedPercent: 50, maxEjection: 100s }" + extra + " }"),
                nodes, new DynamicRoundRobin(), inFlight, ticker.nanoTime());
        return c;
    }

    private static void fail(Node n, int times) {
        for (int i = 0; i < times; i++) {
            n.recordFailure(1_000_000);
        }
    }

    @Test
    void ejectionTimeGrowsWithRepeatedEjectionsUpToTheCap() {
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1, 1);
        Cluster c = cluster(nodes, inFlight, "");
        Node bad = nodes.get(0);
        long[] expectedSeconds = {30, 60, 90, 100, 100};
        for (long seconds : expectedSeconds) {
            fail(bad, 4);
            assertFalse(bad.ejected(), "four failures are not enough");
            fail(bad, 1); // the fifth asks the cluster to refresh at once
            assertTrue(bad.ejected());
            assertEquals(seconds * 1_000_000_000L, bad.ejectedUntil() - ticker.nanoTime());
            for (int i = 0; i < 100; i++) {
                assertNotSame(bad, c.pick(null));
            }
            ticker.advance(Duration.ofSeconds(seconds));
            c.refresh(ticker.nanoTime());
            assertFalse(bad.ejected());
            assertEquals(0.1, bad.slowStartFactor(), 1e-9, "it returns through slow start");
        }
    }

    @Test
    void neverMoreThanMaxEjectedPercentButAlwaysOne() {
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1);
        Cluster c = cluster(nodes, inFlight, "");
        for (Node n : nodes) {
            fail(n, 5);
        }
        c.refresh(ticker.nanoTime());
        assertEquals(1, nodes.stream().filter(Node::ejected).count(), "50% of 3 allows one");
        assertEquals(2, c.eligibleCount());

        AtomicInteger inFlight2 = new AtomicInteger();
        List<Node> two = Nodes.withWeights(inFlight2, 1, 1);
        Cluster strict = new Cluster(Nodes.cluster("{ name: c, outlierDetection: { consecutiveFailures: 1, maxEjectedPercent: 10 } }"),
                two, new DynamicRoundRobin(), inFlight2, ticker.nanoTime());
        fail(two.get(0), 1);
        fail(two.get(1), 1);
        strict.refresh(ticker.nanoTime());
        assertEquals(1, two.stream().filter(Node::ejected).count(), "one node may always be ejected");
    }

    @Test
    void aSuccessResetsTheStreak() {
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1);
        cluster(nodes, inFlight, "");
        fail(nodes.get(0), 4);
        nodes.get(0).recordResponse(1_000_000, false);
        fail(nodes.get(0), 4);
        assertFalse(nodes.get(0).ejected());
        nodes.get(0).recordResponse(1_000_000, true); // a 5xx is a failure too
        assertTrue(nodes.get(0).ejected());
    }

    @Test
    void nothingEligibleMeansNoPickUnlessPanicModeSpreadsOverAll() {
        AtomicInteger inFlight = new AtomicInteger();
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1);
        Cluster c = cluster(nodes, inFlight, "");
        nodes.forEach(n -> n.healthy(false));
        c.refresh(ticker.nanoTime());
        assertNull(c.pick(null));

        AtomicInteger inFlight2 = new AtomicInteger();
        List<Node> panicking = Nodes.withWeights(inFlight2, 1, 1);
        Cluster p = cluster(panicking, inFlight2, ", panicThresholdPercent: 50");
        panicking.forEach(n -> n.healthy(false));
        p.refresh(ticker.nanoTime());
        assertTrue(p.panic());
        assertTrue(panicking.contains(p.pick(null)));
    }
}

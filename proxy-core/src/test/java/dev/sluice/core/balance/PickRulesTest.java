package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.config.model.ClusterConfig;
import dev.sluice.core.http.KeyRegion;
import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every pick is counted by the rule that made it, and the request is told which. */
class PickRulesTest {

    private final FakeTicker clock = new FakeTicker();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final SplittableRandom random = new SplittableRandom(5);

    private Cluster cluster(String yaml, List<Node> nodes) {
        ClusterConfig c = Nodes.cluster(yaml);
        return new Cluster(c, nodes, Balancers.create(c, inFlight, random::nextInt, clock), inFlight, clock.nanoTime());
    }

    /** A request context that remembers the rule it was told. */
    private static final class Told implements PickContext {
        final long hash;
        PickRule rule;

        Told(long hash) {
            this.hash = hash;
        }

        @Override
        public long hashKey() {
            return hash;
        }

        @Override
        public void picked(PickRule r) {
            rule = r;
        }
    }

    @Test
    void boundedLoadsCountTheOwnerByWeightAndTheOverflowAsSpill() {
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1, 1);
        Cluster c = cluster("{ name: c, balancer: consistent-hash, hash: { balanceFactor: 1.0 } }", nodes);
        long key = KeyRegion.hash("k");
        List<PickRule> rules = new ArrayList<>();
        for (int i = 0; i < 8; i++) { // each pick stays in flight: the owner fills to its bound, then its keys spill
            Told t = new Told(key);
            c.pick(t).beginRequest();
            rules.add(t.rule);
        }
        Map<String, Long> picks = c.picksByRule();
        assertEquals(rules.stream().filter(r -> r == PickRule.WEIGHT).count(), picks.get("weight"));
        assertEquals(rules.stream().filter(r -> r == PickRule.BOUNDED_LOAD_SPILL).count(), picks.get("bounded-load-spill"));
        assertEquals(8, picks.get("weight") + picks.get("bounded-load-spill"));
        assertEquals(true, picks.get("bounded-load-spill") >= 4, picks.toString());
    }

    @Test
    void prequalCountsColdNodePicks() {
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1);
        Cluster c = cluster("{ name: c, balancer: prequal }", nodes);
        Told t = new Told(0);
        c.pick(t);
        assertEquals(PickRule.COLD_NODE, t.rule);
        assertEquals(1L, c.picksByRule().get("cold-node"));
    }

    @Test
    void inPanicEveryPickCountsAsPanic() {
        List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1, 1);
        Cluster c = cluster("{ name: c, balancer: least-connections, panicThresholdPercent: 50 }", nodes);
        for (int i = 0; i < 3; i++) {
            nodes.get(i).healthy(false);
        }
        c.refresh(clock.nanoTime());
        Told t = new Told(0);
        c.pick(t);
        assertEquals(PickRule.PANIC, t.rule);
        assertEquals(Map.of("weight", 0L, "bounded-load-spill", 0L, "hot-key-split", 0L, "cold-node", 0L, "panic", 1L),
                c.picksByRule());
    }
}

package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.model.ClusterConfig;
import dev.sluice.core.http.KeyRegion;
import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Hot-key splitting in a consistent-hash cluster, on a driven clock. */
class HotKeysTest {

    private static final long HOT = KeyRegion.hash("celebrity");

    private final FakeTicker clock = new FakeTicker();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Node> nodes = Nodes.withWeights(inFlight, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    private final SplittableRandom random = new SplittableRandom(3);
    private final Cluster cluster = cluster("{ name: c, balancer: consistent-hash, hash: { hotKeys: { } } }");

    private Cluster cluster(String yaml) {
        ClusterConfig c = Nodes.cluster(yaml);
        return new Cluster(c, nodes, Balancers.create(c, inFlight, random::nextInt, clock), inFlight, clock.nanoTime());
    }

    /** One second of 1,000 requests (none left in flight), {@code hotShare} of them for the hot key; then a refresh. */
    private Map<Node, Integer> second(Cluster c, double hotShare) {
        Map<Node, Integer> hotPicks = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            boolean hot = random.nextDouble() < hotShare;
            long key = hot ? HOT : KeyRegion.hash("user-" + random.nextInt(10_000));
            Node n = c.pick(() -> key);
            if (hot) {
                hotPicks.merge(n, 1, Integer::sum);
            }
        }
        clock.advance(Duration.ofMillis(1000));
        c.refresh(clock.nanoTime());
        return hotPicks;
    }

    @Test
    void aKeyAboveHalfANodesShareIsSpreadOverThreeNodesAndCollapsesWhenItCools() {
        Node owner = cluster.pick(() -> HOT);
        for (int s = 0; s < 5; s++) {
            second(cluster, 0.3);
        }
        HotKeys.Split split = cluster.hotKeys().split(HOT);
        assertNotNull(split, "30% of the traffic against a fair share of 10%");
        assertEquals(3, split.nodes.length);
        assertSame(owner, split.ring.node(split.nodes[0]), "the owner first, then its ring successors");

        Map<Node, Integer> spread = second(cluster, 0.3);
        assertEquals(3, spread.size(), "over its three nodes: " + spread);
        for (int picks : spread.values()) {
            assertTrue(picks > 60, "about a third each of ~300: " + spread);
        }
        assertEquals(List.of(List.of(owner.address().toString(), split.ring.node(split.nodes[1]).address().toString(),
                split.ring.node(split.nodes[2]).address().toString())),
                cluster.hotKeys().report().stream().map(HotKeys.SplitKey::nodes).toList());

        for (int s = 0; s < 8; s++) {
            second(cluster, 0.01); // 1% against a line of 5%: four decay times later its count is 2% of what it was
        }
        assertNull(cluster.hotKeys().split(HOT), "collapsed back to its owner");
        assertEquals(Set.of(owner), second(cluster, 0.01).keySet());
    }

    @Test
    void justAboveTheCollapseLineAKeyStaysSplit() {
        for (int s = 0; s < 5; s++) {
            second(cluster, 0.3);
        }
        for (int s = 0; s < 6; s++) {
            second(cluster, 0.04); // 4%: below the 5% line, above the 3.5% collapse line
        }
        assertNotNull(cluster.hotKeys().split(HOT));
    }

    @Test
    void everyOtherKeyKeepsItsOwner() {
        for (int s = 0; s < 5; s++) {
            second(cluster, 0.3);
        }
        HashRing ring = ring();
        Set<Node> seen = new HashSet<>();
        for (int u = 0; u < 2000; u++) {
            long key = KeyRegion.hash("user-" + u);
            Node n = cluster.pick(() -> key);
            assertSame(ring.owner(key), n, "user-" + u);
            seen.add(n);
        }
        assertEquals(10, seen.size());
    }

    private HashRing ring() {
        return cluster.hotKeys().split(HOT).ring;
    }

    @Test
    void withoutHotKeysTheKeyStaysOnItsOwner() {
        Cluster plain = cluster("{ name: c, balancer: consistent-hash }");
        assertNull(plain.hotKeys());
        Node owner = plain.pick(() -> HOT);
        for (int s = 0; s < 3; s++) {
            assertEquals(Set.of(owner), second(plain, 0.3).keySet());
        }
    }
}

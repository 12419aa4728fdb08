package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.balance.DynamicRoundRobin;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetrierTest {

    private final List<Node> nodes = Nodes.withWeights(1, 1, 1);
    private final AtomicLong lastBound = new AtomicLong();
    private final Retrier retrier = new Retrier(bound -> {
        lastBound.set(bound);
        return bound / 2;
    });

    private Cluster cluster(String retries) {
        return new Cluster(Nodes.cluster("{ name: c" + retries + " }"), nodes, new DynamicRoundRobin(), new AtomicInteger(), 0);
    }

    @Test
    void withoutAPolicyARequestThatNeverReachedANodeGoesToOneOtherAtOnce() {
        Cluster c = cluster("");
        retrier.begin(nodes.get(0));
        assertTrue(retrier.mayRetry(c, true, "connect-failure", false, false, false, 0), "any method, nothing kept");
        assertEquals(0, retrier.nextAttempt(c));
        retrier.sendTo(nodes.get(1));
        assertTrue(retrier.tried(nodes.get(0)));
        assertFalse(retrier.tried(nodes.get(2)));
        assertFalse(retrier.mayRetry(c, true, "connect-failure", false, false, false, 0), "once");
        assertFalse(retrier.mayRetry(c, false, "reset", false, true, true, 0), "a sent request needs a policy");
    }

    @Test
    void withAPolicyASentRequestIsRetriedOnlyWhenIdempotentWholeAndNamed() {
        Cluster c = cluster(", retries: { attempts: 2, backoff: { base: 100ms, max: 1s }, budgetPercent: 100, retryOn: [ reset ] }");
        for (int i = 0; i < 10; i++) {
            c.retryBudget().recordRequest(0); // budget for the retries below
        }
        retrier.begin(nodes.get(0));
        assertFalse(retrier.mayRetry(c, false, "reset", false, false, true, 0), "not idempotent");
        assertFalse(retrier.mayRetry(c, false, "reset", false, true, false, 0), "not kept whole");
        assertFalse(retrier.mayRetry(c, false, "502", false, true, true, 0), "not in retryOn");
        assertFalse(retrier.mayRetry(c, false, "reset", true, true, true, 0), "the response started");
        assertTrue(retrier.mayRetry(c, false, "reset", false, true, true, 0));
        assertEquals(50_000_000L, retrier.nextAttempt(c), "full jitter under the first bound");
        assertEquals(100_000_000L, lastBound.get());
        assertTrue(retrier.mayRetry(c, true, "connect-failure", false, false, false, 0), "never sent: any method, any trigger");
        retrier.nextAttempt(c);
        assertEquals(200_000_000L, lastBound.get(), "the bound doubles");
        assertFalse(retrier.mayRetry(c, true, "connect-failure", false, false, false, 0), "attempts used up");
    }
}

package dev.sluice.core.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.balance.DynamicRoundRobin;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    @Test
    void aScheduledRetryWaitsForItsBackoffOnTheLoopsClockAndIsCancelledWithTheRequest() {
        Cluster c = cluster(", retries: { attempts: 2, backoff: { base: 100ms, max: 1s }, budgetPercent: 100, retryOn: [ reset ] }");
        EmbeddedChannel loop = new EmbeddedChannel();
        loop.freezeTime(); // the loop's clock moves only when the test moves it
        AtomicInteger ran = new AtomicInteger();
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        retrier.begin(c, nodes.get(0), head, 0);
        retrier.schedule(c, loop.eventLoop(), ran::incrementAndGet, "reset", HttpResponseStatus.BAD_GATEWAY, "why", "id", null, false);
        loop.advanceTimeBy(49, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        assertEquals(0, ran.get(), "half of the 100 ms bound, from the fixed random source");
        loop.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        assertEquals(1, ran.get());

        retrier.schedule(c, loop.eventLoop(), ran::incrementAndGet, "reset", HttpResponseStatus.BAD_GATEWAY, "why", "id", null, false);
        retrier.clear();
        loop.advanceTimeBy(1, TimeUnit.SECONDS);
        loop.runScheduledPendingTasks();
        assertEquals(1, ran.get(), "a request that ended while its retry waited starts nothing in the next one");
        loop.finishAndReleaseAll();
    }

    @Test
    void aHeadThatNeverLeftIsSentAsItIsAndReleasedIfTheRequestEnds() {
        Cluster c = cluster("");
        EmbeddedChannel loop = new EmbeddedChannel();
        FullHttpRequest unsent = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", Unpooled.buffer(4).writeInt(1));
        retrier.begin(c, nodes.get(0), unsent, 0);
        retrier.schedule(c, loop.eventLoop(), () -> { }, "connect-failure", HttpResponseStatus.BAD_GATEWAY, "why", "id", unsent, true);
        assertSame(unsent, retrier.nextHead(), "not a replay: the very head");
        assertFalse(retrier.replaying());

        retrier.schedule(c, loop.eventLoop(), () -> { }, "connect-failure", HttpResponseStatus.BAD_GATEWAY, "why", "id", unsent, true);
        retrier.clear();
        assertEquals(0, unsent.refCnt(), "owned by the retrier while it waited, released when the request ended");
        loop.finishAndReleaseAll();
    }
}

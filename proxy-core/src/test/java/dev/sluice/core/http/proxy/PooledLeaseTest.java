package dev.sluice.core.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.sluice.core.health.Outcomes;
import dev.sluice.core.http.RequestContext;
import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Node;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObject;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PooledLeaseTest {

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final FakeTicker ticker = new FakeTicker();
    private final List<Node> nodes = Nodes.withWeights(1, 1);
    private final PooledLease lease = new PooledLease(new NoEvents(), new RequestContext("10.1.1.1", false, false, 0), loop.eventLoop(), ticker);

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    @Test
    void beginAndEndAreTheNodesOnlyInFlightPairAndEndCountsOnce() {
        Node n = nodes.get(0);
        lease.begin(n);
        assertSame(n, lease.node());
        assertEquals(1, n.inFlight());
        lease.end(false);
        lease.end(false);
        assertEquals(0, n.inFlight(), "a second end lets go of nothing");
        assertNull(lease.node());
        assertFalse(lease.writable(), "no connection held");
    }

    @Test
    void theNodesLatencyCountsFromTheRequestSentInFull() {
        Node n = nodes.get(1);
        lease.begin(n);
        ticker.advance(Duration.ofMillis(5)); // a slow upload
        lease.requestSent();
        ticker.advance(Duration.ofMillis(2));
        lease.recordResponse(503);
        lease.end(false);
        Outcomes o = n.drainOutcomes();
        assertEquals(0, o.responses());
        assertEquals(1, o.failures(), "a 5xx is an error");
        assertEquals(2_000_000, o.latencyNanos(), "the node is judged from the request sent, not from the pick");
    }

    /** The lease's events are not the subject here. */
    private static final class NoEvents implements UpstreamLease.Events {
        @Override
        public void onConnected() {
        }

        @Override
        public void onConnectFailed(Throwable cause) {
        }

        @Override
        public void onUpstreamRead(HttpObject msg) {
        }

        @Override
        public void onUpstreamBytes(ByteBuf bytes) {
        }

        @Override
        public void onUpstreamReadComplete() {
        }

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {
        }

        @Override
        public void onUpstreamTimeout() {
        }

        @Override
        public void onUpstreamClosed(@Nullable Throwable cause) {
        }
    }
}

package dev.sluice.core.upstream;

import dev.sluice.core.internal.Limits;
import io.netty.channel.EventLoop;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One node's upstream connections: an HTTP/1.1 pool and an HTTP/2 pool per event loop (each slot
 * created and used by its own loop only), and the count of connections open to the node across
 * all loops, which {@code pool.maxConnectionsPerNode} caps.
 */
public final class NodePools {

    private final Node node;
    private final UpstreamConnector connector;
    /** Index = event-loop index. */
    private final UpstreamPool[] pools;
    private final Http2Pool[] h2Pools;
    private final EventLoop[] h2Loops;
    private final AtomicInteger connections = new AtomicInteger();

    NodePools(Node node, UpstreamConnector connector, int eventLoops) {
        this.node = node;
        this.connector = connector;
        this.pools = new UpstreamPool[eventLoops];
        this.h2Pools = new Http2Pool[eventLoops];
        this.h2Loops = new EventLoop[eventLoops];
    }

    /** The pool of {@code loop}; call on that loop. */
    public UpstreamPool pool(int loopIndex, EventLoop loop) {
        UpstreamPool p = pools[loopIndex];
        if (p == null) {
            p = new UpstreamPool(node, loop, connector);
            pools[loopIndex] = p;
        }
        return p;
    }

    /** The HTTP/2 connections of {@code loop} ({@code protocol: h2}); call on that loop. */
    public Http2Pool h2Pool(int loopIndex, EventLoop loop) {
        Http2Pool p = h2Pools[loopIndex];
        if (p == null) {
            p = new Http2Pool(node, loop, connector);
            h2Pools[loopIndex] = p;
            h2Loops[loopIndex] = loop;
        }
        return p;
    }

    /** Whether a request on this loop could get a connection now: an idle one here, or room for a new one. */
    public boolean hasCapacity(int loopIndex) {
        UpstreamPool p = pools[loopIndex];
        return (p != null && p.idleCount() > 0) || connections.get() < connector.maxConnectionsPerNode();
    }

    /** Upstream connections open to the node, all event loops together. */
    int open() {
        return connections.get();
    }

    boolean tryReserve() {
        return Limits.incrementBelow(connections, connector.maxConnectionsPerNode());
    }

    void closed() {
        connections.decrementAndGet();
    }

    /** The node left its cluster: each loop closes its idle connections (busy ones finish first). */
    void closeIdleLater() {
        for (UpstreamPool p : pools) {
            if (p != null) {
                p.closeIdleLater();
            }
        }
        for (int i = 0; i < h2Pools.length; i++) {
            if (h2Pools[i] != null) {
                h2Pools[i].closeIdleLater(h2Loops[i]);
            }
        }
    }
}

package dev.sluice.core.upstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.HostPort;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend address of a cluster. Shared by every event loop: its counters are atomics, and it
 * keeps one {@link UpstreamPool} per event loop, each touched only by its own loop.
 */
public final class Node {

    private final String cluster;
    private final HostPort address;
    private final InetSocketAddress socketAddress;
    private final int weight;
    private final UpstreamConnector connector;
    /** Index = event-loop index; each slot is created and used by its own loop only. */
    private final UpstreamPool[] pools;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();

    public Node(String cluster, HostPort address, InetSocketAddress socketAddress, int weight,
            UpstreamConnector connector, int eventLoops) {
        this.cluster = requireNonNull(cluster, "cluster");
        this.address = requireNonNull(address, "address");
        this.socketAddress = requireNonNull(socketAddress, "socketAddress");
        if (weight <= 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: > 0)");
        }
        this.weight = weight;
        this.connector = requireNonNull(connector, "connector");
        this.pools = new UpstreamPool[eventLoops];
    }

    public String cluster() {
        return cluster;
    }

    public HostPort address() {
        return address;
    }

    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    /** The configured weight. */
    public int weight() {
        return weight;
    }

    /** Requests picked for this node and not yet completed. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Upstream connections open to this node, all event loops together. */
    public int openConnections() {
        return connections.get();
    }

    /** Call once when a request is sent to this node; pair with exactly one {@link #endRequest}. */
    public void beginRequest() {
        inFlight.incrementAndGet();
    }

    public void endRequest() {
        inFlight.decrementAndGet();
    }

    /** The pool of {@code loop}; call on that loop. */
    public UpstreamPool pool(int loopIndex, EventLoop loop) {
        UpstreamPool p = pools[loopIndex];
        if (p == null) {
            p = new UpstreamPool(this, loop, connector);
            pools[loopIndex] = p;
        }
        return p;
    }

    /** Whether a request on this loop could get a connection now: an idle one here, or room for a new one. */
    public boolean hasCapacity(int loopIndex) {
        UpstreamPool p = pools[loopIndex];
        return (p != null && p.idleCount() > 0) || connections.get() < connector.maxConnectionsPerNode();
    }

    boolean tryReserveConnection() {
        int max = connector.maxConnectionsPerNode();
        for (;;) {
            int n = connections.get();
            if (n >= max) {
                return false;
            }
            if (connections.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    @Override
    public String toString() {
        return cluster + "/" + address;
    }
}

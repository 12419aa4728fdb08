package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http.RequestContext;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.upstream.BackendHandler;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.PoolExhaustedException;
import dev.sluice.core.upstream.UpstreamCallback;
import dev.sluice.core.upstream.UpstreamNames;
import dev.sluice.core.upstream.UpstreamPool;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 {@link UpstreamLease}: a keep-alive connection borrowed from the node's pool on
 * this event loop, with the exchange attached to its {@link BackendHandler} while held.
 *
 * <p>At the node's {@code pool.maxConnectionsPerNode}, rather than fail while other nodes have
 * room, the lease takes the balancer's next picks, skipping nodes that are visibly full, up to
 * twice the cluster's size in all; when every node is full it waits for a connection of the first
 * ({@code pool.maxPending}, {@code pool.pendingTimeout}), and only a failed wait reaches the
 * exchange as a {@link PoolExhaustedException}. A rare path, so it may loop where a pick may not.
 */
final class PooledLease extends NodeLease implements UpstreamCallback {

    private final Events events;
    private final RequestContext rc;
    private final int loopIndex;
    private final EventLoop loop;
    /** The lease waits for a connection of its node at the limit: every node was full. */
    private boolean atLimit;
    private int spills;
    private @Nullable Channel channel;
    /** An acquire or await is outstanding: its answer is still to come. */
    private boolean waiting;

    /** @param rc the request whose cluster gives another node when this one is at its connection limit */
    PooledLease(Events events, RequestContext rc, EventLoop loop, Ticker ticker) {
        super(ticker);
        this.events = requireNonNull(events, "events");
        this.rc = requireNonNull(rc, "rc");
        this.loopIndex = rc.loopIndex();
        this.loop = requireNonNull(loop, "loop");
    }

    @Override
    public void begin(Node n) {
        super.begin(n);
        atLimit = false;
        spills = 0;
    }

    private UpstreamPool pool(Node n) {
        return n.pools().pool(loopIndex, loop);
    }

    @Override
    public void acquire() {
        waiting = true;
        pool(node).acquire(this);
    }

    @Override
    public void onAcquired(Channel ch) {
        if (!waiting) {
            ch.close(); // not expected: an ended lease stops waiting (UpstreamPool.cancel)
            return;
        }
        waiting = false;
        channel = ch;
        backend(ch).attach(events);
        events.onConnected();
    }

    @Override
    public void onAcquireFailed(Throwable cause) {
        if (!waiting) {
            return;
        }
        waiting = false;
        if (cause instanceof PoolExhaustedException && !atLimit) {
            spillOver();
        } else {
            events.onConnectFailed(cause);
        }
    }

    private void spillOver() {
        Cluster cluster = rc.cluster();
        int bound = 2 * cluster.nodes().size();
        Node next = null;
        while (next == null && ++spills < bound) {
            Node candidate = cluster.pick(rc);
            if (candidate == null) {
                break;
            }
            if (candidate.pools().hasCapacity(loopIndex)) {
                next = candidate;
            }
        }
        waiting = true;
        if (next == null) {
            atLimit = true;
            pool(node).await(this);
            return;
        }
        moveTo(next);
        pool(next).acquire(this);
    }

    @Override
    public void tunnel() {
        ChannelPipeline p = channel.pipeline();
        p.remove(UpstreamNames.RESPONSE_TIMEOUT);
        p.remove(UpstreamNames.IDLE); // the client's idle timeout governs the tunnel
        p.remove(UpstreamNames.CODEC); // bytes the backend sent after its 101 go on to the tunnel
        channel.config().setAutoRead(true);
    }

    @Override
    @Nullable Channel channel() {
        return channel;
    }

    @Override
    public void end(boolean reuse) {
        Node n = node;
        if (n == null) {
            return;
        }
        if (waiting) {
            waiting = false;
            pool(n).cancel(this);
        }
        Channel ch = channel;
        channel = null;
        if (ch != null) {
            backend(ch).detach();
            pool(n).release(ch, reuse);
        }
        endNode();
    }

    /** The connection's backend handler: last in its pipeline (found without a search by name, once per request). */
    private static BackendHandler backend(Channel ch) {
        return ch.pipeline().last() instanceof BackendHandler b ? b : (BackendHandler) ch.pipeline().get(UpstreamNames.BACKEND);
    }
}

package dev.sluice.core.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Keep-alive connections of one node on one event loop, and the requests waiting for one. Every
 * method must be called on that loop, so the pool needs no locks; the node-wide connection limit
 * is an atomic on {@link Node}.
 *
 * <p>Idle connections are reused last-in first-out, so a quiet period lets the surplus age out
 * through {@code pool.idleTimeout} while the warm ones keep serving.
 *
 * <p>Waiting (Envoy's pending requests): a request that finds no idle connection joins the
 * waiters, first come first served, and a connection is opened for it while the node is under
 * {@code pool.maxConnectionsPerNode}. Whatever connection becomes free first goes to the oldest
 * waiter: one just opened (even if it was opened for a request whose client left since), or one
 * released after a response. At the limit a request may wait ({@link #await}) for at most
 * {@code pool.pendingTimeout}, with at most {@code pool.maxPending} waiting beyond the connects in
 * progress; a failed connect fails the oldest waiter, which may try another node.
 */
public final class UpstreamPool {

    private final Node node;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Connects in progress. */
    private int connecting;
    private final int maxPending;
    private final long pendingTimeoutNanos;
    private final ChannelFutureListener onClose = this::closed;
    private final ChannelFutureListener onConnect = this::connected;

    UpstreamPool(Node node, EventLoop loop, UpstreamConnector connector) {
        this.node = node;
        this.loop = loop;
        this.bootstrap = connector.bootstrap(loop, node.address());
        this.maxPending = connector.maxPending();
        this.pendingTimeoutNanos = connector.pendingTimeoutNanos();
    }

    /** A request waiting for a connection. */
    private final class Waiter implements Runnable {
        final UpstreamCallback callback;
        ScheduledFuture<?> timer;

        Waiter(UpstreamCallback callback) {
            this.callback = callback;
        }

        /** {@code pool.pendingTimeout} passed. */
        @Override
        public void run() {
            if (waiters.remove(this)) {
                callback.onAcquireFailed(new PoolExhaustedException("no connection to " + node.address() + " within "
                        + TimeUnit.NANOSECONDS.toMillis(pendingTimeoutNanos) + "ms (pool.pendingTimeout): all busy"));
            }
        }

        void handOver(Channel ch) {
            if (timer != null) {
                timer.cancel(false);
            }
            callback.onAcquired(ch);
        }
    }

    /**
     * Hands {@code callback} an idle connection, or the next one to be free, opening one for it
     * within the node's limit. At the limit, fails with {@link PoolExhaustedException} at once:
     * the caller may prefer another node, then {@link #await} this one.
     */
    public void acquire(UpstreamCallback callback) {
        assert loop.inEventLoop();
        Channel ch = pollIdle();
        if (ch != null) {
            callback.onAcquired(ch);
            return;
        }
        if (!node.pools().tryReserve()) {
            callback.onAcquireFailed(new PoolExhaustedException("upstream connection limit reached for " + node.address()));
            return;
        }
        waiters.addLast(new Waiter(callback));
        connect();
    }

    /**
     * Waits for a connection of this pool to be released or opened, for at most
     * {@code pool.pendingTimeout}; fails with {@link PoolExhaustedException} at once when
     * {@code pool.maxPending} requests already wait.
     */
    public void await(UpstreamCallback callback) {
        assert loop.inEventLoop();
        Channel ch = pollIdle();
        if (ch != null) {
            callback.onAcquired(ch);
            return;
        }
        if (waiters.size() - connecting >= maxPending) {
            callback.onAcquireFailed(new PoolExhaustedException("upstream connection limit reached for " + node.address()
                    + " and " + maxPending + " requests wait already (pool.maxPending)"));
            return;
        }
        Waiter w = new Waiter(callback);
        w.timer = loop.schedule(w, pendingTimeoutNanos, TimeUnit.NANOSECONDS);
        waiters.addLast(w);
    }

    /** {@code callback} no longer wants a connection (its client left). */
    public void cancel(UpstreamCallback callback) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.callback == callback) {
                it.remove();
                if (w.timer != null) {
                    w.timer.cancel(false);
                }
                return;
            }
        }
    }

    /**
     * Returns a connection the caller holds: to the oldest waiter, else to the idle connections.
     * A connection that is not {@code reusable} (mid-message, {@code Connection: close}, failed),
     * or one of a node that left its cluster, is closed instead.
     */
    public void release(Channel ch, boolean reusable) {
        assert loop.inEventLoop();
        if (reusable && ch.isActive() && !node.retired()) {
            Waiter w = waiters.pollFirst();
            if (w != null) {
                w.handOver(ch);
                return;
            }
            ch.config().setAutoRead(true); // notice a close by the server while idle
            idle.addLast(ch);
        } else {
            ch.close();
        }
    }

    private Channel pollIdle() {
        Channel ch;
        while ((ch = idle.pollLast()) != null) {
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    private void connect() {
        connecting++;
        ChannelFuture f = bootstrap.connect(node.socketAddress());
        f.channel().closeFuture().addListener(onClose);
        f.addListener(onConnect);
    }

    private void connected(ChannelFuture f) {
        SslHandler tls = f.isSuccess() ? f.channel().pipeline().get(SslHandler.class) : null;
        if (tls != null) {
            // A TLS connection is ready when its handshake is done; a failed handshake is a failed connect.
            tls.handshakeFuture().addListener(h -> ready(f.channel(), h.isSuccess() ? null : h.cause()));
        } else {
            ready(f.channel(), f.isSuccess() ? null : f.cause());
        }
    }

    private void ready(Channel ch, @Nullable Throwable failure) {
        connecting--;
        Waiter w = waiters.pollFirst();
        if (failure == null) {
            if (w != null) {
                w.handOver(ch);
            } else {
                release(ch, true); // its request left meanwhile: keep it for the next one
            }
            return;
        }
        ch.close();
        if (w != null) {
            if (w.timer != null) {
                w.timer.cancel(false);
            }
            w.callback.onAcquireFailed(failure);
        }
    }

    /** Closes every idle connection, on this pool's loop (callable from any thread). */
    void closeIdleLater() {
        loop.execute(() -> {
            Channel ch;
            while ((ch = idle.pollFirst()) != null) {
                ch.close();
            }
        });
    }

    /** Connections idle in this pool. */
    public int idleCount() {
        return idle.size();
    }

    /** Requests waiting for a connection in this pool. */
    public int waiting() {
        return waiters.size();
    }

    private void closed(ChannelFuture f) {
        idle.remove(f.channel());
        node.pools().closed();
        // A connection slot came free: a request waiting at the limit may get a connection now.
        if (waiters.size() > connecting && node.pools().tryReserve()) {
            connect();
        }
    }
}

package dev.sluice.core.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;

/**
 * Keep-alive connections of one node on one event loop. Every method must be called on that loop,
 * so the pool needs no locks; the node-wide connection limit is an atomic on {@link Node}.
 *
 * <p>Idle connections are reused last-in first-out, so a quiet period lets the surplus age out
 * through {@code pool.idleTimeout} while the warm ones keep serving.
 */
public final class UpstreamPool {

    private final Node node;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ChannelFutureListener onClose = this::closed;

    UpstreamPool(Node node, EventLoop loop, UpstreamConnector connector) {
        this.node = node;
        this.loop = loop;
        this.bootstrap = connector.bootstrap(loop);
    }

    /** Hands {@code callback} an idle connection, or opens a new one within the node's limit. */
    public void acquire(UpstreamCallback callback) {
        assert loop.inEventLoop();
        Channel ch;
        while ((ch = idle.pollLast()) != null) {
            if (ch.isActive()) {
                callback.onAcquired(ch);
                return;
            }
        }
        if (!node.tryReserveConnection()) {
            callback.onAcquireFailed(new PoolExhaustedException(
                    "upstream connection limit reached for " + node.address()));
            return;
        }
        ChannelFuture f = bootstrap.connect(node.socketAddress());
        f.channel().closeFuture().addListener(onClose);
        f.addListener(new ConnectListener(callback));
    }

    /**
     * Returns a connection the caller holds. A connection that is not {@code reusable} (mid-message,
     * {@code Connection: close}, failed), or one of a node that left its cluster, is closed instead.
     */
    public void release(Channel ch, boolean reusable) {
        assert loop.inEventLoop();
        if (reusable && ch.isActive() && !node.retired()) {
            ch.config().setAutoRead(true); // notice a close by the server while idle
            idle.addLast(ch);
        } else {
            ch.close();
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

    private void closed(ChannelFuture f) {
        idle.remove(f.channel());
        node.connectionClosed();
    }

    private static final class ConnectListener implements ChannelFutureListener {
        private final UpstreamCallback callback;

        ConnectListener(UpstreamCallback callback) {
            this.callback = callback;
        }

        @Override
        public void operationComplete(ChannelFuture f) {
            if (f.isSuccess()) {
                callback.onAcquired(f.channel());
            } else {
                callback.onAcquireFailed(f.cause());
            }
        }
    }
}

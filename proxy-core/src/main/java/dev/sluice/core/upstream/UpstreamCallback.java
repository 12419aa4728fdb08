package dev.sluice.core.upstream;

import io.netty.channel.Channel;

/**
 * Receives the result of {@link UpstreamPool#acquire}. Always called on the pool's event loop,
 * which is also the caller's, possibly before {@code acquire} returns.
 */
public interface UpstreamCallback {

    /** A connected, idle upstream channel, now owned by the callee until it is released. */
    void onAcquired(Channel upstream);

    /** No connection: {@link PoolExhaustedException}, or the connect failure. */
    void onAcquireFailed(Throwable cause);
}

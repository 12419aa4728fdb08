package dev.sluice.core.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpObject;
import org.jspecify.annotations.Nullable;

/**
 * The exchange currently using an upstream channel. {@link BackendHandler} forwards the channel's
 * events to it. All calls happen on the upstream channel's event loop, which is the downstream's.
 */
public interface UpstreamListener {

    /** A response part; ownership passes to the listener. */
    void onUpstreamRead(HttpObject msg);

    /** Bytes of a connection that is no longer HTTP (a WebSocket tunnel after its 101); ownership passes. */
    void onUpstreamBytes(ByteBuf bytes);

    /** The end of one read burst: a good moment to flush downstream. */
    void onUpstreamReadComplete();

    void onUpstreamWritabilityChanged(boolean writable);

    /** No response head within {@code timeouts.response} of the request's end. The channel is still open. */
    void onUpstreamTimeout();

    /** The upstream channel closed (or failed and is closing) while this listener was attached. */
    void onUpstreamClosed(@Nullable Throwable cause);
}

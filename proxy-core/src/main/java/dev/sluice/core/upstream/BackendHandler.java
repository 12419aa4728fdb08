package dev.sluice.core.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * Last handler of an upstream channel ({@code proxy-backend}): hands response parts to the
 * exchange that holds the channel, and closes the channel when it sits idle in the pool past
 * {@code pool.idleTimeout} or sends anything while nobody holds it. One instance per channel.
 */
public final class BackendHandler extends ChannelInboundHandlerAdapter {

    /** The exchange holding this channel, or null while it is idle in the pool. */
    private @Nullable UpstreamListener listener;
    private @Nullable Throwable failure;

    public void attach(UpstreamListener listener) {
        this.listener = listener;
    }

    public void detach() {
        this.listener = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l != null && msg instanceof HttpObject http) {
            l.onUpstreamRead(http);
        } else if (l != null && msg instanceof ByteBuf bytes) {
            l.onUpstreamBytes(bytes); // a tunnel: the HTTP codec is gone
        } else {
            // A response nobody asked for: the connection is out of step; drop it.
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        listener = null;
        if (l != null) {
            l.onUpstreamClosed(failure);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        UpstreamListener l = listener;
        if (evt == ResponseTimeoutHandler.TIMEOUT && l != null) {
            l.onUpstreamTimeout();
        } else if (evt instanceof IdleStateEvent && l == null) {
            ctx.close();
        } else if (evt instanceof Http2GoAwayFrame) {
            // An HTTP/2 stream above the last id of the backend's GOAWAY: it was not processed.
            failure = new RefusedStreamException("above the last stream of the backend's GOAWAY");
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Reported once to the exchange through channelInactive; a reset upstream is routine.
        failure = cause instanceof Http2Exception.StreamException e && e.error() == Http2Error.REFUSED_STREAM
                ? new RefusedStreamException("reset with REFUSED_STREAM") : cause;
        ctx.close();
    }
}

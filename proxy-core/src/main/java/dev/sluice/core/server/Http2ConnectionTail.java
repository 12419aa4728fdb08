package dev.sluice.core.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * {@code h2-connection}: added with the HTTP/2 handlers when a connection turns into HTTP/2 (prior
 * knowledge or an accepted {@code Upgrade: h2c}). On being added it removes the HTTP/1.1 handlers
 * and lets the connection read freely: the stream multiplexer applies flow control per stream from
 * then on. Later it closes the connection (with GOAWAY) when it is idle past {@code idleTimeout}
 * with no open stream. One instance per connection.
 */
final class Http2ConnectionTail extends ChannelInboundHandlerAdapter {

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ChannelPipeline p = ctx.pipeline();
        for (String name : PipelineNames.HTTP1_ONLY) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
            if (codec == null || codec.connection().numActiveStreams() == 0) {
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }
}

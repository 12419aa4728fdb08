package dev.sluice.core.server;

import dev.sluice.core.time.TimerWheel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * {@code linger}, first in a client connection's pipeline: a close Sluice asks for becomes a
 * lingering close, as NGINX's {@code lingering_close} does. Closing a socket whose peer's bytes are
 * still unread makes the kernel answer with a reset, and a reset can destroy the answer just sent
 * (a 400, 413 or 431) before the client reads it. So the close waits until every write is out,
 * shuts the output down (the client sees the end of the answer), then reads and drops whatever
 * the client still sends, and closes when the client closes, after {@link #LINGER_NANOS}, or after
 * {@link #MAX_DISCARDED} bytes, whichever comes first. Nothing read while lingering goes further
 * up the pipeline. One instance per connection; event-loop confined.
 */
final class LingeringClose extends ChannelDuplexHandler {

    /** The longest a closing connection is read from (NGINX: lingering_time 30 s, lingering_timeout 5 s). */
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The most a closing connection is read. */
    static final long MAX_DISCARDED = 1 << 20;

    private final TimerWheel.Timeout timer;
    private boolean lingering;
    private long discarded;
    private ChannelHandlerContext ctx;

    /** @param wheel the connection's loop's timer wheel, for {@link #LINGER_NANOS} */
    LingeringClose(TimerWheel wheel) {
        this.timer = wheel.newTimeout(() -> ctx.close());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!ctx.channel().isActive() || !(ctx.channel() instanceof DuplexChannel)) {
            ctx.close(promise);
            return;
        }
        ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
        if (lingering) {
            return; // a second close (the keep-alive handler's, say) waits for the first
        }
        lingering = true;
        // Writes complete in order: once this empty one is done, the answer before it is out.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> shutDownOutput(ctx));
    }

    private void shutDownOutput(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        ((DuplexChannel) ctx.channel()).shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
                return;
            }
            timer.start(LINGER_NANOS);
            // Read from here, never by turning auto-read on: that would also let the handlers above
            // deliver requests they still queue (a pipelined one after Connection: close, say).
            ctx.read();
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!lingering) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof ByteBuf b) {
            discarded += b.readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (discarded > MAX_DISCARDED) {
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!lingering) {
            ctx.fireChannelReadComplete();
        } else if (timer.pending()) {
            ctx.read(); // keep draining until the client closes or the time is up
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.stop();
        ctx.fireChannelInactive();
    }
}

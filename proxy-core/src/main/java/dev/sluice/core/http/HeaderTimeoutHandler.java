package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code header-timeout} (HTTP/1.1, before the codec): the first byte of a request head starts a
 * timer of {@code headerTimeout}; if the head is not complete when it fires, the client gets 408 and
 * the connection closes. This cuts slowloris clients that trickle a head byte by byte, while an idle
 * keep-alive connection that sends nothing is left to {@code idleTimeout}. The reply is written as
 * bytes because this handler sits below the codec. One instance per connection.
 */
public final class HeaderTimeoutHandler extends ChannelDuplexHandler implements Runnable {

    private final RequestContext rc;
    private final long timeoutNanos;
    private final ByteBuf reply;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;

    public HeaderTimeoutHandler(RequestContext rc, long timeoutNanos) {
        this.rc = requireNonNull(rc, "rc");
        this.timeoutNanos = timeoutNanos;
        String body = "request head not received within " + timeoutNanos / 1_000_000 + "ms (headerTimeout)\n";
        this.reply = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("HTTP/1.1 408 Request Timeout\r\n"
                + "content-type: text/plain; charset=utf-8\r\ncontent-length: " + body.length() + "\r\n"
                + "connection: close\r\n\r\n" + body, StandardCharsets.US_ASCII).asReadOnly());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timer == null && rc.awaitingHead() && msg instanceof ByteBuf b && b.isReadable()) {
            timer = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void run() {
        timer = null;
        if (rc.awaitingHead() && ctx.channel().isActive()) {
            ctx.writeAndFlush(reply.duplicate()).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The head arrived (or the connection left HTTP/1.1): stop the timer. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (timer != null && !rc.awaitingHead()) {
            timer.cancel(false);
            timer = null;
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}

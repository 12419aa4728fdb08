package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http1.MalformedRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code header-timeout} (HTTP/1.1, before the codec): the first byte of a request head starts a
 * timer of {@code headerTimeout}; if the head is not complete when it fires, a
 * {@link MalformedRequest} with 408 goes up the pipeline in the head's place, and {@code hygiene}
 * answers it like any other refused head (with a request id and an access-log line) and closes.
 * This cuts slowloris clients that trickle a head byte by byte, while an idle keep-alive
 * connection that sends nothing is left to {@code idleTimeout}. One instance per connection.
 */
public final class HeaderTimeoutHandler extends ChannelDuplexHandler implements Runnable {

    private final RequestContext rc;
    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;

    public HeaderTimeoutHandler(RequestContext rc, long timeoutNanos) {
        this.rc = requireNonNull(rc, "rc");
        this.timeoutNanos = timeoutNanos;
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
            ctx.fireChannelRead(new MalformedRequest(HttpResponseStatus.REQUEST_TIMEOUT,
                    "request head not received within " + timeoutNanos / 1_000_000 + "ms (headerTimeout)"));
            ctx.fireChannelReadComplete();
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

package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http1.MalformedRequest;
import dev.sluice.core.time.TimerWheel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code header-timeout} (HTTP/1.1, before the codec): the first byte of a request head starts a
 * timer of {@code headerTimeout}; if the head is not complete when it fires, a
 * {@link MalformedRequest} with 408 goes up the pipeline in the head's place, and {@code hygiene}
 * answers it like any other refused head (with a request id and an access-log line) and closes.
 * This cuts slowloris clients that trickle a head byte by byte, while an idle keep-alive
 * connection that sends nothing is left to {@code idleTimeout}. One instance per connection; its
 * timer is on the loop's {@link TimerWheel}.
 */
public final class HeaderTimeoutHandler extends ChannelDuplexHandler implements Runnable {

    private final RequestContext rc;
    private final long timeoutNanos;
    private final TimerWheel.Timeout timer;
    private ChannelHandlerContext ctx;

    public HeaderTimeoutHandler(RequestContext rc, TimerWheel wheel, long timeoutNanos) {
        this.rc = requireNonNull(rc, "rc");
        this.timeoutNanos = timeoutNanos;
        this.timer = wheel.newTimeout(this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!timer.pending() && rc.awaitingHead() && msg instanceof ByteBuf b && b.isReadable()) {
            timer.start(timeoutNanos);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void run() {
        if (rc.awaitingHead() && ctx.channel().isActive()) {
            ctx.fireChannelRead(new MalformedRequest(HttpResponseStatus.REQUEST_TIMEOUT,
                    "request head not received within " + timeoutNanos / 1_000_000 + "ms (headerTimeout)"));
            ctx.fireChannelReadComplete();
        }
    }

    /** The head arrived (or the connection left HTTP/1.1): stop the timer. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!rc.awaitingHead()) {
            timer.stop();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.stop();
    }
}

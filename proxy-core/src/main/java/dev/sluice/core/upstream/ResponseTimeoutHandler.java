package dev.sluice.core.upstream;

import dev.sluice.core.time.TimerWheel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * {@code response-timeout}: starts a timer when the last part of a request is written upstream
 * and stops it when the response head arrives; when it fires first, {@link #TIMEOUT} is sent up the
 * pipeline to {@link BackendHandler}. One instance per upstream channel, its timer on the loop's
 * {@link TimerWheel}; event-loop confined.
 */
final class ResponseTimeoutHandler extends ChannelDuplexHandler implements Runnable {

    /** User event: no response head within {@code timeouts.response}. */
    static final Object TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "ResponseTimeout";
        }
    };

    private final long timeoutNanos;
    private final TimerWheel.Timeout timer;
    private ChannelHandlerContext ctx;

    ResponseTimeoutHandler(TimerWheel wheel, long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        this.timer = wheel.newTimeout(this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && !timer.pending()) {
            timer.start(timeoutNanos);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            timer.stop();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void run() {
        ctx.fireUserEventTriggered(TIMEOUT);
    }
}

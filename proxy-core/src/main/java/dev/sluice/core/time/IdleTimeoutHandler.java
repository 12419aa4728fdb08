package dev.sluice.core.time;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * {@code idle}: fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} up the pipeline when the
 * channel has neither read nor written for {@code idleNanos}; the handler after decides whether
 * to close (a connection with a request in progress is not idle to it). Where Netty's
 * {@code IdleStateHandler} reads the clock on every read and adds a listener to every write, this
 * notes the wheel's {@linkplain TimerWheel#coarseNanos coarse time} and keeps one
 * {@link TimerWheel.Timeout} per channel, checked when it fires: accurate to a tick, with no
 * per-request work beyond a field write. One instance per channel; event-loop confined.
 */
public final class IdleTimeoutHandler extends ChannelDuplexHandler implements Runnable {

    private final TimerWheel wheel;
    private final long idleNanos;
    private final TimerWheel.Timeout timer;
    private ChannelHandlerContext ctx;
    private long lastActive;

    public IdleTimeoutHandler(TimerWheel wheel, long idleNanos) {
        this.wheel = requireNonNull(wheel, "wheel");
        this.idleNanos = idleNanos;
        this.timer = wheel.newTimeout(this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (!timer.pending()) {
            timer.start(idleNanos);
            lastActive = wheel.coarseNanos();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastActive = wheel.coarseNanos();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActive = wheel.coarseNanos();
        ctx.write(msg, promise);
    }

    @Override
    public void run() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long quiet = wheel.coarseNanos() - lastActive;
        if (quiet < idleNanos) {
            timer.start(idleNanos - quiet);
            return;
        }
        timer.start(idleNanos); // as IdleStateHandler: fired again after another idle period
        ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.stop();
    }
}

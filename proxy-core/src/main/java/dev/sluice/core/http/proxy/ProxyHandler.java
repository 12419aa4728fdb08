package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http.RequestContext;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.time.TimerWheel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/**
 * {@code proxy}: the last downstream handler. It turns the channel's events into calls on its
 * {@link Exchange}, which does the work.
 *
 * <p>The downstream channel runs with auto-read off behind a {@code FlowControlHandler}, so each
 * {@code ctx.read()} delivers exactly one message; the exchange asks for the next request part
 * only when the upstream can take it, and for the next request only when it is over, which also
 * serialises pipelined HTTP/1.1 requests.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ProxyHandler.class.getName());

    private final RequestContext rc;
    private final Ticker ticker;
    private final TimerWheel wheel;
    private final long maxBodyBytes;
    private final long requestTimeoutNanos;
    private final Consumer<ChannelPipeline> stripHttp;
    private Exchange exchange;

    /**
     * @param maxBodyBytes the listener's {@code maxRequestBodyBytes}, counted while streaming
     * @param wheel the timer wheel of the channel's loop, for the request deadline
     * @param requestTimeoutNanos the listener's {@code requestTimeout}: the whole exchange, from head to last response byte
     */
    public ProxyHandler(RequestContext rc, Ticker ticker, TimerWheel wheel, long maxBodyBytes, long requestTimeoutNanos) {
        this(rc, ticker, wheel, maxBodyBytes, requestTimeoutNanos, p -> {
            throw new IllegalStateException("no tunnel on this channel");
        });
    }

    /** @param stripHttp takes the HTTP handlers before this one out of the pipeline, when a WebSocket becomes a tunnel */
    public ProxyHandler(RequestContext rc, Ticker ticker, TimerWheel wheel, long maxBodyBytes, long requestTimeoutNanos,
            Consumer<ChannelPipeline> stripHttp) {
        this.stripHttp = requireNonNull(stripHttp, "stripHttp");
        this.rc = requireNonNull(rc, "rc");
        this.ticker = requireNonNull(ticker, "ticker");
        this.wheel = requireNonNull(wheel, "wheel");
        this.maxBodyBytes = maxBodyBytes;
        this.requestTimeoutNanos = requestTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        exchange = new Exchange(ctx, rc, ticker, wheel, maxBodyBytes, requestTimeoutNanos, stripHttp);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest head) {
            exchange.start(head);
        } else if (msg instanceof HttpContent content) {
            exchange.requestPart(content);
        } else if (msg instanceof ByteBuf bytes) {
            exchange.tunnel().fromClient(bytes); // a WebSocket tunnel: the HTTP codec is gone
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        exchange.clientWritable(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    /** Whether no exchange is in progress on this channel (an idle keep-alive connection). */
    public boolean idle() {
        return !exchange.active();
    }

    /** The server drains: a WebSocket tunnel gets its close frames; other exchanges end as they would. */
    public void drain() {
        exchange.tunnel().drain();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange.active()) {
            exchange.finish(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (exchange.active()) {
            exchange.finish(false);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && (!exchange.active() || exchange.tunnel().open())) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "downstream failed, closing", cause);
        ctx.close();
    }
}

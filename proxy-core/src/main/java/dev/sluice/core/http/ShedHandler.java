package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.ratelimit.InFlightLimiter;
import dev.sluice.core.time.Ticker;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@code shed}: the global in-flight limit, before routing and before any upstream work. Over the
 * limit: 429 with {@code Retry-After: 1}, reason {@code overloaded}. The permit of an admitted
 * request is released exactly once: when the last part of its response is written (whoever
 * writes it: the proxy or a local reply further down), or when the channel closes first (reset,
 * timeout, error). One instance per channel.
 */
public final class ShedHandler extends ChannelDuplexHandler {

    private final RequestContext rc;
    private final Supplier<InFlightLimiter> current;
    private final Ticker ticker;
    /** The limiter the current request was admitted by, released exactly once; null when none is held. */
    private @Nullable InFlightLimiter holding;
    private long admittedNanos;

    /** @param current the limiter in force, read once per request */
    public ShedHandler(RequestContext rc, Supplier<InFlightLimiter> current, Ticker ticker) {
        this.rc = requireNonNull(rc, "rc");
        this.current = requireNonNull(current, "current");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            release();
            InFlightLimiter limiter = current.get();
            if (!limiter.tryAcquire()) {
                boolean complete = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                rc.refusal("overload");
                FullHttpResponse resp = LocalReply.build(ctx, rc, HttpResponseStatus.TOO_MANY_REQUESTS, "overloaded");
                resp.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
                LocalReply.write(ctx, rc, resp, complete);
                return;
            }
            holding = limiter;
            admittedNanos = ticker.nanoTime();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean last = msg instanceof LastHttpContent
                && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL);
        ctx.write(msg, promise);
        if (last) {
            release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        InFlightLimiter held = holding;
        if (held != null) {
            holding = null;
            held.release(ticker.nanoTime() - admittedNanos);
        }
    }
}

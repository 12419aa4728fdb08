package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http1.MalformedRequest;
import dev.sluice.core.ratelimit.InFlightLimiter;
import dev.sluice.core.time.Ticker;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Supplier;

/**
 * {@code request-chain}: the steps every request head passes before the proxy, in order, as plain
 * method calls in one handler (one pipeline hop where five handlers took five, each way):
 * <ol>
 *   <li>{@link Hygiene}: malformed heads, sizes, {@code Expect}; starts the request; forwarding headers</li>
 *   <li>{@link Shed}: the global in-flight limit, 429</li>
 *   <li>{@link RateLimit}: per-IP then per-partition token buckets, 429</li>
 *   <li>{@link Route}: host/path to cluster, 404</li>
 *   <li>{@link HashKey}: the request's key for a consistent-hash cluster, 400 on a bad key</li>
 * </ol>
 * A step that refuses returns its answer; the chain releases the request, gives back a shedding
 * permit taken for it, and writes the answer as {@link LocalReply} does. Bodies pass untouched.
 * Every response to the client passes {@link #write}: the rate-limit headers go on, the shedding
 * permit comes back with its last part. One instance per channel.
 */
public final class RequestChain extends ChannelDuplexHandler {

    private final RequestContext rc;
    private final Hygiene hygiene;
    private final Shed shed;
    private final RateLimit rateLimit;
    private final Route route;
    private final HashKey hashKey;

    /**
     * @param maxBodyBytes the listener's {@code maxRequestBodyBytes}
     * @param normalizePaths {@code pathNormalization: strict}: paths are normalised before routing ({@link PathNormalizer})
     * @param endToEnd, shedding, limits, routes what is in force, each read once per request (a reload reaches open connections)
     */
    public RequestChain(RequestContext rc, Ticker ticker, long maxBodyBytes, boolean normalizePaths, Supplier<EndToEndHeaders> endToEnd,
            Supplier<InFlightLimiter> shedding, Supplier<RateLimits> limits, Supplier<Router> routes) {
        this.rc = requireNonNull(rc, "rc");
        this.hygiene = new Hygiene(rc, ticker, maxBodyBytes, endToEnd, normalizePaths);
        this.shed = new Shed(rc, shedding, ticker);
        this.rateLimit = new RateLimit(rc, limits, ticker);
        this.route = new Route(rc, routes);
        this.hashKey = new HashKey(rc);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof MalformedRequest m) {
            rateLimit.clear();
            answer(ctx, hygiene.malformed(ctx, m), false);
            return;
        }
        if (!(msg instanceof HttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        rateLimit.clear();
        FullHttpResponse refusal = hygiene.check(ctx, req);
        if (refusal == null) {
            refusal = shed.admit(ctx);
        }
        if (refusal == null) {
            refusal = rateLimit.admit(ctx, req);
        }
        if (refusal == null) {
            refusal = route.admit(ctx, req);
        }
        if (refusal == null) {
            refusal = hashKey.admit(ctx, req);
        }
        if (refusal == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean complete = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        answer(ctx, refusal, complete);
    }

    private void answer(ChannelHandlerContext ctx, FullHttpResponse resp, boolean requestComplete) {
        rateLimit.decorate(resp);
        shed.release();
        LocalReply.write(ctx, rc, resp, requestComplete);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        rateLimit.decorate(msg);
        boolean last = Shed.endsResponse(msg); // asked first: the write hands the message on
        ctx.write(msg, promise);
        if (last) {
            shed.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        shed.release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        shed.release();
    }
}

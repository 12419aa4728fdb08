package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.ratelimit.InFlightLimiter;
import dev.sluice.core.time.Ticker;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The chain's shedding step ({@link RequestChain}): the global in-flight limit, before routing and before any upstream work. Over the
 * limit: 429 with {@code Retry-After: 1}, reason {@code overloaded}. The permit of an admitted
 * request is released exactly once: when the last part of its response is written (whoever
 * writes it: the proxy, or the chain for a later step's refusal), or when the channel closes first
 * (reset, timeout, error). One instance per channel, in its chain.
 */
final class Shed {

    private final RequestContext rc;
    private final Supplier<InFlightLimiter> current;
    private final Ticker ticker;
    /** The limiter the current request was admitted by, released exactly once; null when none is held. */
    private @Nullable InFlightLimiter holding;
    private long admittedNanos;

    /** @param current the limiter in force, read once per request */
    Shed(RequestContext rc, Supplier<InFlightLimiter> current, Ticker ticker) {
        this.rc = requireNonNull(rc, "rc");
        this.current = requireNonNull(current, "current");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    /** A new request: takes a permit, or answers 429 (the caller releases the request). */
    @Nullable FullHttpResponse admit(ChannelHandlerContext ctx) {
        release();
        InFlightLimiter limiter = current.get();
        if (!limiter.tryAcquire()) {
            rc.refusal("overload");
            FullHttpResponse resp = LocalReply.build(ctx, rc, HttpResponseStatus.TOO_MANY_REQUESTS, "overloaded");
            resp.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            return resp;
        }
        holding = limiter;
        admittedNanos = ticker.nanoTime();
        return null;
    }

    /** Whether {@code msg}, on its way to the client, is the last part of a final response: the permit goes back with it. */
    static boolean endsResponse(Object msg) {
        return msg instanceof LastHttpContent && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL);
    }

    /** Gives the permit back, once; nothing when none is held. */
    void release() {
        InFlightLimiter held = holding;
        if (held != null) {
            holding = null;
            held.release(ticker.nanoTime() - admittedNanos);
        }
    }
}

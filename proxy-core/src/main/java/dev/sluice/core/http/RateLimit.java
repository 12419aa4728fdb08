package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.ratelimit.Decision;
import dev.sluice.core.ratelimit.RateLimiter;
import dev.sluice.core.time.Ticker;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The chain's rate-limiting step ({@link RequestChain}): the per-IP bucket, then the per-partition bucket. A refused request gets 429
 * with {@code Retry-After} (seconds until a token), {@code RateLimit-Limit}, {@code -Remaining},
 * {@code -Reset} (seconds until the bucket is full) and their {@code X-RateLimit-*} twins, and a body
 * naming the limit ({@code rate limited: ip} or {@code rate limited: partition KEY}). A partition key
 * that is too long or outside {@code [A-Za-z0-9._:-]} gets 400; a request without one is limited by
 * IP only. With {@code rateLimits.responseHeaders}, allowed responses carry the same headers for the
 * more restrictive of the two buckets. One instance per channel, in its chain.
 */
final class RateLimit {

    static final AsciiString RATELIMIT_LIMIT = AsciiString.cached("ratelimit-limit");
    static final AsciiString RATELIMIT_REMAINING = AsciiString.cached("ratelimit-remaining");
    static final AsciiString RATELIMIT_RESET = AsciiString.cached("ratelimit-reset");
    static final AsciiString X_RATELIMIT_LIMIT = AsciiString.cached("x-ratelimit-limit");
    static final AsciiString X_RATELIMIT_REMAINING = AsciiString.cached("x-ratelimit-remaining");
    static final AsciiString X_RATELIMIT_RESET = AsciiString.cached("x-ratelimit-reset");

    private final RequestContext rc;
    private final Supplier<RateLimits> current;
    private final Ticker ticker;
    /** The limits the current request was checked against (a reload may publish others meanwhile). */
    private RateLimits limits = RateLimits.NONE;
    // Where the buckets' answers are written; made by the first request that meets a bucket.
    private @Nullable Decision ip;
    private @Nullable Decision partition;
    private final KeyRegion region = new KeyRegion();

    /** @param current the limits in force, read once per request */
    RateLimit(RequestContext rc, Supplier<RateLimits> current, Ticker ticker) {
        this.rc = requireNonNull(rc, "rc");
        this.current = requireNonNull(current, "current");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    /** A new request: forgets the last one's decisions, before any step may answer it. */
    void clear() {
        if (ip != null) {
            ip.clear();
            partition.clear();
        }
    }

    /** Takes a token from each bucket that applies; the 429 (or 400 for a bad key) otherwise (the caller releases the request). */
    @Nullable FullHttpResponse admit(ChannelHandlerContext ctx, HttpRequest req) {
        RateLimits l = current.get();
        limits = l;
        RateLimiter perIp = l.perIp();
        RateLimiter perPartition = l.perPartition();
        KeyExtractor partitionKeys = l.partitionKeys();
        if (perIp == null && perPartition == null) {
            return null;
        }
        if (ip == null) {
            ip = new Decision();
            partition = new Decision();
        }
        long now = ticker.nanoTime();
        if (perIp != null && !perIp.tryAcquire(rc.clientIp(), now, ip)) {
            return refuse(ctx, "ip", "rate limited: ip", ip);
        }
        if (perPartition != null) {
            int found = partitionKeys.find(req, region);
            if (found == KeyExtractor.INVALID) {
                rc.refusal("hygiene");
                return LocalReply.build(ctx, rc, HttpResponseStatus.BAD_REQUEST, "bad partition key in " + partitionKeys.description()
                        + " (expected: 1 to " + partitionKeys.maxLength() + " characters of [A-Za-z0-9._:-])");
            }
            if (found == KeyExtractor.FOUND) {
                String text = region.text();
                String key = region.start() == 0 && region.end() == text.length() ? text : region.toString();
                if (l.hottest() != null) {
                    l.hottest().offer(key);
                }
                if (!perPartition.tryAcquire(key, now, partition)) {
                    return refuse(ctx, "partition", "rate limited: partition " + key, partition);
                }
            }
        }
        return null;
    }

    private FullHttpResponse refuse(ChannelHandlerContext ctx, String which, String reason, Decision d) {
        rc.refusal(which);
        FullHttpResponse resp = LocalReply.build(ctx, rc, HttpResponseStatus.TOO_MANY_REQUESTS, reason);
        resp.headers().set(HttpHeaderNames.RETRY_AFTER, d.retryAfterSeconds());
        headers(resp.headers(), d);
        clear();
        return resp;
    }

    /** A response on its way to the client: with {@code rateLimits.responseHeaders}, the more restrictive bucket's headers. */
    void decorate(Object msg) {
        if (ip != null && limits.responseHeaders() && msg instanceof HttpResponse resp && resp.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            Decision d = !partition.present() || (ip.present() && ip.remaining() <= partition.remaining()) ? ip : partition;
            if (d.present()) {
                headers(resp.headers(), d);
            }
        }
    }

    private static void headers(HttpHeaders h, Decision d) {
        h.setInt(RATELIMIT_LIMIT, d.limit());
        h.setInt(RATELIMIT_REMAINING, d.remaining());
        h.set(RATELIMIT_RESET, d.resetSeconds());
        h.setInt(X_RATELIMIT_LIMIT, d.limit());
        h.setInt(X_RATELIMIT_REMAINING, d.remaining());
        h.set(X_RATELIMIT_RESET, d.resetSeconds());
    }
}

package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http1.MalformedRequest;
import dev.sluice.core.time.Ticker;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The chain's first step ({@link RequestChain}): refuses request heads the codec could not parse (400, 414 for a request line
 * over the limit, 431 for headers over {@code maxHeaderBytes}) and a declared body over
 * {@code maxRequestBodyBytes} (413) and a {@code Connection} header naming a header Sluice reads
 * ({@link EndToEndHeaders}, 400), then closes; starts the request in
 * the {@link RequestContext}; rewrites the head for forwarding ({@link ForwardHeaders}). Bodies
 * pass through untouched. A refusal closes the connection after its answer. One instance per
 * channel, in its chain.
 */
final class Hygiene {

    private final RequestContext rc;
    private final Ticker ticker;
    private final long maxBodyBytes;
    private final Supplier<EndToEndHeaders> endToEnd;
    private final boolean normalizePaths;

    /**
     * @param endToEnd the headers Sluice reads in force, read once per request
     * @param normalizePaths {@code pathNormalization: strict}: paths are normalised before routing ({@link PathNormalizer})
     */
    Hygiene(RequestContext rc, Ticker ticker, long maxBodyBytes, Supplier<EndToEndHeaders> endToEnd,
            boolean normalizePaths) {
        this.rc = requireNonNull(rc, "rc");
        this.ticker = requireNonNull(ticker, "ticker");
        this.maxBodyBytes = maxBodyBytes;
        this.endToEnd = requireNonNull(endToEnd, "endToEnd");
        this.normalizePaths = normalizePaths;
    }

    /** A head the codec refused: starts it in the context and answers it. */
    FullHttpResponse malformed(ChannelHandlerContext ctx, MalformedRequest m) {
        rc.beginWithoutHead(ticker.nanoTime());
        return refuse(ctx, m.status(), describe(m.status(), m.reason()));
    }

    /** Starts the request; the answer when its head is refused (the caller releases it), else null and the head rewritten. */
    @Nullable FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req) {
        rc.begin(req, ticker.nanoTime());
        ForwardHeaders.identify(req, rc);
        if (req.decoderResult().isFailure()) {
            return reject(ctx, req.decoderResult().cause());
        }
        String hostProblem = Hosts.settle(req, rc.http2());
        if (hostProblem != null) {
            return refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request: " + hostProblem);
        }
        if (normalizePaths) {
            String path = PathNormalizer.normalize(req.uri());
            if (path == null) {
                return refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request: malformed percent-encoding in the path");
            }
            req.setUri(path);
        }
        AsciiString named = endToEnd.get().namedByConnection(req.headers());
        if (named != null) {
            return refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request: Connection names " + named
                    + ", which Sluice reads (a hop-by-hop header must not remove it)");
        }
        String expect = req.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null) {
            if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
                return refuse(ctx, HttpResponseStatus.EXPECTATION_FAILED, "expectation " + expect + " is not supported (only 100-continue)");
            }
            // Answered by Sluice once the request is admitted (proxy.Exchange); HTTP/1.0 has no 100 to send.
            rc.expectContinue(req.protocolVersion() != HttpVersion.HTTP_1_0 && !(req instanceof LastHttpContent));
            req.headers().remove(HttpHeaderNames.EXPECT);
        }
        long declared = HttpUtil.getContentLength(req, -1L);
        if (declared > maxBodyBytes) {
            return refuse(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body of " + declared + " bytes exceeds " + maxBodyBytes + " (maxRequestBodyBytes)");
        }
        ForwardHeaders.request(req, rc);
        return null;
    }

    private FullHttpResponse reject(ChannelHandlerContext ctx, Throwable cause) {
        HttpResponseStatus status;
        String reason;
        if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            reason = "request headers too large";
        } else if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            reason = "request line too long";
        } else if (cause instanceof TooLongFrameException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            reason = "request head too large";
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
            reason = "malformed request: " + cause.getMessage();
        }
        return refuse(ctx, status, reason);
    }

    /** The one line a refused head is answered with. */
    private static String describe(HttpResponseStatus status, String reason) {
        return switch (status.code()) {
            case 400 -> "malformed request: " + reason;
            case 414 -> "request line too long (" + reason + ")";
            case 431 -> "request headers too large (" + reason + ")";
            default -> reason;
        };
    }

    /** The answer; the connection closes after it: the codec stops parsing after a bad head, and a refused body is not read. */
    private FullHttpResponse refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
        rc.refusal("hygiene");
        rc.forceClose();
        return LocalReply.build(ctx, rc, status, reason);
    }
}

package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.time.Ticker;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * {@code hygiene}: answers request heads the codec could not parse (400, 414 for a request line
 * over the limit, 431 for headers over {@code maxHeaderBytes}) and a declared body over
 * {@code maxRequestBodyBytes} (413), then closes; starts the request in
 * the {@link RequestContext}; rewrites the head for forwarding ({@link ForwardHeaders}). Bodies
 * pass through untouched. One instance per channel.
 */
public final class HygieneHandler extends ChannelInboundHandlerAdapter {

    private final RequestContext rc;
    private final Ticker ticker;
    private final long maxBodyBytes;

    public HygieneHandler(RequestContext rc, Ticker ticker, long maxBodyBytes) {
        this.rc = requireNonNull(rc, "rc");
        this.ticker = requireNonNull(ticker, "ticker");
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof MalformedRequest m) {
            rc.refusal("hygiene");
            rc.forceClose();
            LocalReply.send(ctx, rc, HttpResponseStatus.BAD_REQUEST, "malformed request: " + m.reason(), false);
            return;
        }
        if (msg instanceof HttpRequest req) {
            rc.begin(req, ticker.nanoTime());
            if (req.decoderResult().isFailure()) {
                Throwable cause = req.decoderResult().cause();
                ReferenceCountUtil.release(msg);
                reject(ctx, cause);
                return;
            }
            long declared = HttpUtil.getContentLength(req, -1L);
            if (declared > maxBodyBytes) {
                ReferenceCountUtil.release(msg);
                rc.refusal("hygiene");
                rc.forceClose();
                LocalReply.send(ctx, rc, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        "request body of " + declared + " bytes exceeds " + maxBodyBytes + " (maxRequestBodyBytes)", false);
                return;
            }
            ForwardHeaders.request(req, rc);
        }
        ctx.fireChannelRead(msg);
    }

    private void reject(ChannelHandlerContext ctx, Throwable cause) {
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
        // The codec stops parsing after a bad head, so the connection cannot carry another request.
        rc.refusal("hygiene");
        rc.forceClose();
        LocalReply.send(ctx, rc, status, reason, false);
    }
}

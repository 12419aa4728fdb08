package dev.sluice.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * A response that Sluice writes itself (404, 502, 503, 504, ...): a one-line plain-text reason,
 * the request id, and what to do with the rest of the request.
 *
 * <p>When the request was read to its end, or announced no body, the connection stays usable and
 * the next message is requested (an unread empty end of request is then discarded by
 * the proxy handler). When a body is still on its way, the reply says {@code Connection: close}
 * and the connection (or HTTP/2 stream) is closed once the reply is written, rather than reading an
 * unbounded body only to throw it away.
 */
public final class LocalReply {

    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");

    private LocalReply() {
    }

    /**
     * Writes the reply on {@code ctx}'s channel.
     *
     * @param requestComplete whether the request's last part has been read
     */
    public static void send(ChannelHandlerContext ctx, RequestContext rc, HttpResponseStatus status, String reason,
            boolean requestComplete) {
        write(ctx, rc, build(ctx, rc, status, reason), requestComplete);
    }

    /**
     * The reply, for a caller that adds headers before {@link #write}. To a gRPC call it is a
     * trailers-only response (HTTP 200, {@code grpc-status} for the HTTP status, the reason as
     * {@code grpc-message}), as gRPC clients read errors only from there.
     */
    public static FullHttpResponse build(ChannelHandlerContext ctx, RequestContext rc, HttpResponseStatus status, String reason) {
        if (rc.grpc()) {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
            HttpHeaders h = resp.headers();
            h.set(HttpHeaderNames.CONTENT_TYPE, Grpc.CONTENT_TYPE);
            h.setInt(Grpc.STATUS, Grpc.statusFor(status));
            h.set(Grpc.MESSAGE, Grpc.message(reason));
            String id = rc.requestId();
            if (id != null) {
                h.set(ForwardHeaders.X_REQUEST_ID, id);
            }
            return resp;
        }
        ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), reason + "\n");
        HttpVersion version = rc.clientVersion() == HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        FullHttpResponse resp = new DefaultFullHttpResponse(version, status, body);
        HttpHeaders h = resp.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        String id = rc.requestId();
        if (id != null) {
            h.set(ForwardHeaders.X_REQUEST_ID, id);
        }
        return resp;
    }

    /** Writes a reply from {@link #build}, then keeps the connection or closes it (see the class comment). */
    public static void write(ChannelHandlerContext ctx, RequestContext rc, FullHttpResponse resp, boolean requestComplete) {
        boolean close = rc.closeAfterReply(requestComplete);
        if (close && !rc.http2()) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!close) {
            ForwardHeaders.keepAliveFor10(resp.headers(), rc, false);
        }
        if (close) {
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(resp, ctx.voidPromise());
            if (!rc.http2()) {
                rc.awaitHead();
            }
            ctx.read();
        }
    }

    /** The cluster has no node to give: 503 with {@code Retry-After: 1}. */
    public static void noNode(ChannelHandlerContext ctx, RequestContext rc, String cluster, boolean requestComplete) {
        FullHttpResponse resp = build(ctx, rc, HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy node in cluster " + cluster);
        resp.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        write(ctx, rc, resp, requestComplete);
    }

    /** {@code 100 Continue}: the client that waits for it may send its body now. */
    public static void continue100(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER),
                ctx.voidPromise());
    }
}

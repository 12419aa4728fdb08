package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.upstream.Cluster;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Supplier;

/**
 * {@code route}: picks the cluster for a request head from the current {@link Router}, or answers
 * 404. The router is read per request from {@code routes}, so a reload takes effect on the next
 * request. One instance per channel.
 */
public final class RouteHandler extends ChannelInboundHandlerAdapter {

    private final RequestContext rc;
    private final Supplier<Router> routes;

    public RouteHandler(RequestContext rc, Supplier<Router> routes) {
        this.rc = requireNonNull(rc, "rc");
        this.routes = requireNonNull(routes, "routes");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            Cluster cluster = routes.get().route(req);
            if (cluster == null) {
                boolean complete = msg instanceof LastHttpContent;
                String reason = "no route for host " + req.headers().get(HttpHeaderNames.HOST) + " path " + req.uri();
                ReferenceCountUtil.release(msg);
                LocalReply.send(ctx, rc, HttpResponseStatus.NOT_FOUND, reason, complete);
                return;
            }
            rc.cluster(cluster);
        }
        ctx.fireChannelRead(msg);
    }
}

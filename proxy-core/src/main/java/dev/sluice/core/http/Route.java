package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The chain's routing step ({@link RequestChain}): picks the cluster for a request head from the current {@link Router}, or answers
 * 404. The router is read per request from {@code routes}, so a reload takes effect on the next
 * request. One instance per channel, in its chain.
 */
final class Route {

    private final RequestContext rc;
    private final Supplier<Router> routes;

    Route(RequestContext rc, Supplier<Router> routes) {
        this.rc = requireNonNull(rc, "rc");
        this.routes = requireNonNull(routes, "routes");
    }

    /** Sets the request's cluster; the 404 when no route takes it (the caller releases the request). */
    @Nullable FullHttpResponse admit(ChannelHandlerContext ctx, HttpRequest req) {
        Router router = routes.get();
        int matched = router.match(req);
        if (matched < 0) {
            return LocalReply.build(ctx, rc, HttpResponseStatus.NOT_FOUND,
                    "no route for host " + req.headers().get(HttpHeaderNames.HOST) + " path " + req.uri());
        }
        rc.cluster(router.cluster(matched));
        rc.route(router.describe(matched));
        return null;
    }
}

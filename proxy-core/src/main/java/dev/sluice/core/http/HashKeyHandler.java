package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.upstream.Cluster;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * {@code hash-key}: for a consistent-hash cluster, finds the request's key where the cluster's
 * {@code hash.key} says, and stores its hash in the {@link RequestContext}; a request without the
 * key hashes its client IP instead, and a request with a bad key (too long, or outside
 * {@code [A-Za-z0-9._:-]}) gets 400. Other clusters pass untouched. One instance per channel.
 */
public final class HashKeyHandler extends ChannelInboundHandlerAdapter {

    private final RequestContext rc;
    private final KeyRegion region = new KeyRegion();

    public HashKeyHandler(RequestContext rc) {
        this.rc = requireNonNull(rc, "rc");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            Cluster cluster = rc.cluster();
            if (cluster != null && cluster.hashed()) {
                KeyExtractor keys = cluster.hashKeys();
                int found = keys == null ? KeyExtractor.MISSING : keys.find(req, region);
                if (found == KeyExtractor.INVALID) {
                    boolean complete = msg instanceof LastHttpContent;
                    ReferenceCountUtil.release(msg);
                    LocalReply.send(ctx, rc, HttpResponseStatus.BAD_REQUEST, "bad hash key in " + keys.description()
                            + " (expected: 1 to " + keys.maxLength() + " characters of [A-Za-z0-9._:-])", complete);
                    return;
                }
                rc.hashKey(found == KeyExtractor.FOUND ? region.hash() : rc.clientIpHash());
            }
        }
        ctx.fireChannelRead(msg);
    }
}

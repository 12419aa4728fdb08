package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.balance.HotKeys;
import dev.sluice.core.upstream.Cluster;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;

/**
 * The chain's last step ({@link RequestChain}): for a consistent-hash cluster, finds the request's key where the cluster's
 * {@code hash.key} says, and stores its hash in the {@link RequestContext}; a request without the
 * key hashes its client IP instead, and a request with a bad key (too long, or outside
 * {@code [A-Za-z0-9._:-]}) gets 400. Other clusters pass untouched. One instance per channel, in its chain.
 */
final class HashKey {

    private final RequestContext rc;
    private final KeyRegion region = new KeyRegion();

    HashKey(RequestContext rc) {
        this.rc = requireNonNull(rc, "rc");
    }

    /** Sets the request's hash; the 400 for a bad key (the caller releases the request). */
    @Nullable FullHttpResponse admit(ChannelHandlerContext ctx, HttpRequest req) {
        Cluster cluster = rc.cluster();
        if (cluster != null && cluster.hashed()) {
            KeyExtractor keys = cluster.hashKeys();
            int found = keys == null ? KeyExtractor.MISSING : keys.find(req, region);
            if (found == KeyExtractor.INVALID) {
                return LocalReply.build(ctx, rc, HttpResponseStatus.BAD_REQUEST, "bad hash key in " + keys.description()
                        + " (expected: 1 to " + keys.maxLength() + " characters of [A-Za-z0-9._:-])");
            }
            long hash = found == KeyExtractor.FOUND ? region.hash() : rc.clientIpHash();
            rc.hashKey(hash);
            HotKeys hot = cluster.hotKeys();
            HotKeys.Split split = hot == null || found != KeyExtractor.FOUND ? null : hot.split(hash);
            if (split != null && split.label() == null) {
                split.label(region.toString()); // once per split key, for /stats
            }
        }
        return null;
    }
}

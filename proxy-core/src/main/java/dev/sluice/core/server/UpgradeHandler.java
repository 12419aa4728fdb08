package dev.sluice.core.server;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;

/**
 * {@code h2c-upgrade}: Netty's upgrade handler, on the connection's first request without a body
 * (clients attempt it on the first; RFC 9113 deprecates the mechanism). The request decoder passes
 * such a request as one full message, which the aggregator underneath would otherwise let by
 * unseen, so an {@code Upgrade: h2c} GET would never upgrade.
 * Removing the handler after the first request also keeps it from aggregating a later request: a
 * failed upgrade of a whole request left Netty's handler believing it was still handling one, and
 * the next request on the connection ended it without an answer (found by the fuzz test).
 */
final class UpgradeHandler extends HttpServerUpgradeHandler {

    UpgradeHandler(SourceCodec sourceCodec, UpgradeCodecFactory upgradeCodecFactory, int maxContentLength) {
        super(sourceCodec, upgradeCodecFactory, maxContentLength, DefaultHttpHeadersFactory.headersFactory(),
                DefaultHttpHeadersFactory.trailersFactory(), true);
    }

    /**
     * Only a request without a body may upgrade: one with a body would have to be buffered whole to
     * be replayed as stream 1 (and its trailers would be lost), so it goes on over HTTP/1.1.
     */
    @Override
    public boolean acceptInboundMessage(Object msg) {
        return msg instanceof FullHttpRequest;
    }
}

package dev.sluice.core.server;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;

/**
 * {@code h2c-upgrade}: Netty's upgrade handler, also shown requests that arrive whole. The
 * request decoder passes a request without a body as one full message, which the aggregator
 * underneath would otherwise let by unseen, so an {@code Upgrade: h2c} GET would never upgrade.
 */
final class UpgradeHandler extends HttpServerUpgradeHandler {

    UpgradeHandler(SourceCodec sourceCodec, UpgradeCodecFactory upgradeCodecFactory, int maxContentLength) {
        super(sourceCodec, upgradeCodecFactory, maxContentLength);
    }

    @Override
    public boolean acceptInboundMessage(Object msg) throws Exception {
        return msg instanceof FullHttpRequest || super.acceptInboundMessage(msg);
    }
}

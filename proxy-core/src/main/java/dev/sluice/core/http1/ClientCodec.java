package dev.sluice.core.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.util.ArrayDeque;

/**
 * The upstream HTTP/1.1 codec: Netty's request encoder out, {@link ResponseDecoder} in, paired so
 * the decoder knows which response answers a HEAD request. One instance per upstream connection.
 */
public final class ClientCodec extends CombinedChannelDuplexHandler<ResponseDecoder, HttpRequestEncoder> {

    /** The methods of the requests written and not yet answered, oldest first. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);
    /** The last request written asked to switch protocols (a WebSocket handshake). */
    private boolean upgradeAsked;

    /** @param maxHeadBytes the largest response head accepted */
    public ClientCodec(int maxHeadBytes) {
        init(new ResponseDecoder(maxHeadBytes, methods, () -> upgradeAsked), new Encoder());
    }

    private final class Encoder extends HttpRequestEncoder {
        @Override
        protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
            methods.add(request.method());
            upgradeAsked = request.headers().contains(HttpHeaderNames.UPGRADE);
            super.encodeInitialLine(buf, request);
        }
    }
}

package dev.sluice.core.http1;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;

/**
 * The downstream HTTP/1.1 codec: {@link RequestDecoder} in, Netty's response encoder out, paired so
 * that the response to a HEAD request is written without a body. It can be upgraded from (h2c).
 * One instance per connection.
 */
public final class ServerCodec extends CombinedChannelDuplexHandler<RequestDecoder, HttpResponseEncoder>
        implements HttpServerUpgradeHandler.SourceCodec {

    /** The methods of the requests passed on and not yet answered, oldest first. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);

    /** See {@link RequestDecoder#RequestDecoder} for the limits. */
    public ServerCodec(int maxHeadBytes, int maxStartLine, long maxBodyBytes) {
        init(new RequestDecoder(maxHeadBytes, maxStartLine, maxBodyBytes, methods::add), new Encoder());
    }

    @Override
    public void upgradeFrom(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
    }

    private final class Encoder extends HttpResponseEncoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // interim: the request still waits for its final answer
            }
            return HttpMethod.HEAD.equals(methods.poll()) || super.isContentAlwaysEmpty(msg);
        }
    }
}

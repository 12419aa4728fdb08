package dev.sluice.core.health;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.HealthCheckConfig;
import dev.sluice.core.tls.UpstreamTls;
import dev.sluice.core.upstream.Node;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET healthCheck.path} on a connection of its own (never one of the request pool's), on the
 * given event loop, with {@code Connection: close}. Healthy means a 2xx head within
 * {@code healthCheck.timeout} of the probe's start; anything else (refused, reset, timeout, other
 * status) is a failure. Never blocks.
 */
public final class HttpHealthChecker implements HealthChecker {

    private final HealthCheckConfig config;
    private final EventLoop loop;
    private final ChannelFactory<? extends Channel> channels;
    private final @Nullable UpstreamTls tls;

    /** @param tls the cluster's TLS to its backends, which probes speak too; null for cleartext */
    public HttpHealthChecker(HealthCheckConfig config, EventLoop loop, ChannelFactory<? extends Channel> channels, @Nullable UpstreamTls tls) {
        this.config = requireNonNull(config, "config");
        this.loop = requireNonNull(loop, "loop");
        this.channels = requireNonNull(channels, "channels");
        this.tls = tls;
    }

    @Override
    public CompletionStage<Boolean> probe(Node node) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        long timeoutMillis = Math.max(1, config.timeout().toMillis());
        Bootstrap b = new Bootstrap().group(loop).channelFactory(channels)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), node.address()));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new Probe(node, result));
                    }
                });
        var connect = b.connect(node.socketAddress());
        Channel ch = connect.channel();
        var timer = loop.schedule(() -> {
            if (result.complete(false)) {
                ch.close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.complete(false);
            }
        });
        result.whenComplete((ok, e) -> timer.cancel(false));
        return result;
    }

    private final class Probe extends ChannelInboundHandlerAdapter {
        private final Node node;
        private final CompletableFuture<Boolean> result;

        Probe(Node node, CompletableFuture<Boolean> result) {
            this.node = node;
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, config.path());
            req.headers().set(HttpHeaderNames.HOST, node.address().toString())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.USER_AGENT, "sluice-health-check");
            ctx.writeAndFlush(req);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse r) {
                    result.complete(!r.decoderResult().isFailure() && r.status().codeClass() == HttpStatusClass.SUCCESS);
                    ctx.close();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.complete(false);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.complete(false);
            ctx.close();
        }
    }
}

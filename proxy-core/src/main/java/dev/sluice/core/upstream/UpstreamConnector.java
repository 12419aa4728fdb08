package dev.sluice.core.upstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.HostPort;
import dev.sluice.core.http1.ClientCodec;
import dev.sluice.core.internal.Limits;
import dev.sluice.core.time.IdleTimeoutHandler;
import dev.sluice.core.time.TimerWheels;
import dev.sluice.core.tls.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import org.jspecify.annotations.Nullable;

/**
 * How one cluster opens upstream connections: transport, socket options, timeouts and the
 * upstream pipeline (see {@link UpstreamNames}). Immutable;
 * shared by the cluster's nodes.
 */
public final class UpstreamConnector {

    /** Largest upstream response head accepted. */
    static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;

    private final ChannelFactory<? extends Channel> channelFactory;
    private final int connectTimeoutMillis;
    private final long idleTimeoutNanos;
    private final long responseTimeoutNanos;
    private final int maxConnectionsPerNode;
    private final int maxPending;
    private final long pendingTimeoutNanos;
    private final @Nullable UpstreamTls tls;
    private final TimerWheels wheels;

    public UpstreamConnector(ChannelFactory<? extends Channel> channelFactory, ClusterConfig cluster) {
        this(channelFactory, cluster, null, new TimerWheels());
    }

    /**
     * @param tls TLS to the backends ({@code clusters[].tls}), or null for cleartext
     * @param wheels the server's timer wheels, for response timeouts
     */
    public UpstreamConnector(ChannelFactory<? extends Channel> channelFactory, ClusterConfig cluster, @Nullable UpstreamTls tls,
            TimerWheels wheels) {
        this.channelFactory = requireNonNull(channelFactory, "channelFactory");
        this.tls = tls;
        this.wheels = requireNonNull(wheels, "wheels");
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, cluster.timeouts().connect().toMillis());
        this.idleTimeoutNanos = cluster.pool().idleTimeout().toNanos();
        this.responseTimeoutNanos = cluster.timeouts().response().toNanos();
        this.maxConnectionsPerNode = cluster.pool().maxConnectionsPerNode();
        this.maxPending = cluster.pool().maxPending();
        this.pendingTimeoutNanos = cluster.pool().pendingTimeout().toNanos();
    }

    int maxConnectionsPerNode() {
        return maxConnectionsPerNode;
    }

    int maxPending() {
        return maxPending;
    }

    long pendingTimeoutNanos() {
        return pendingTimeoutNanos;
    }

    /** Streams the backend would push are refused: Sluice turns push off in its settings. */
    @ChannelHandler.Sharable
    private static final class NoPushedStreams extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }

    private static final ChannelHandler NO_PUSHED_STREAMS = new NoPushedStreams();

    /** The pipeline of one request's stream on an HTTP/2 connection: the same messages and handlers as HTTP/1.1. */
    private final ChannelInitializer<Http2StreamChannel> streams = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline()
                    .addLast(UpstreamNames.H2_STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(false))
                    .addLast(UpstreamNames.RESPONSE_TIMEOUT, new ResponseTimeoutHandler(wheels.of(ch.eventLoop()), responseTimeoutNanos))
                    .addLast(UpstreamNames.BACKEND, new BackendHandler());
        }
    };

    ChannelInitializer<Http2StreamChannel> streamInitializer() {
        return streams;
    }

    /**
     * A bootstrap for HTTP/2 connections to {@code backend} on {@code loop}: h2c prior knowledge,
     * or TLS with ALPN {@code h2}; push off; streams over the backend's limit queued by Netty.
     */
    Bootstrap h2Bootstrap(EventLoop loop, HostPort backend) {
        return base(loop).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (tls != null) {
                    ch.pipeline().addLast(UpstreamNames.TLS, tls.newHandler(ch.alloc(), backend));
                }
                ch.pipeline()
                        .addLast(UpstreamNames.H2_CODEC, Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                                .encoderEnforceMaxConcurrentStreams(true)
                                .build())
                        .addLast(UpstreamNames.H2_MULTIPLEX, new Http2MultiplexHandler(NO_PUSHED_STREAMS))
                        .addLast(UpstreamNames.IDLE, new IdleTimeoutHandler(wheels.of(ch.eventLoop()), idleTimeoutNanos));
            }
        });
    }

    private Bootstrap base(EventLoop loop) {
        return new Bootstrap()
                .group(loop)
                .channelFactory(channelFactory)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Limits.WATER_MARK);
    }

    /** A bootstrap for connections to {@code backend} that live on {@code loop}. */
    Bootstrap bootstrap(EventLoop loop, HostPort backend) {
        return base(loop)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(UpstreamNames.TLS, tls.newHandler(ch.alloc(), backend));
                        }
                        ch.pipeline()
                                .addLast(UpstreamNames.CODEC, new ClientCodec(MAX_RESPONSE_HEADER_BYTES))
                                .addLast(UpstreamNames.RESPONSE_TIMEOUT, new ResponseTimeoutHandler(wheels.of(ch.eventLoop()), responseTimeoutNanos))
                                .addLast(UpstreamNames.IDLE, new IdleTimeoutHandler(wheels.of(ch.eventLoop()), idleTimeoutNanos))
                                .addLast(UpstreamNames.BACKEND, new BackendHandler());
                    }
                });
    }
}

package dev.sluice.core.upstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.HostPort;
import dev.sluice.core.http1.ClientCodec;
import dev.sluice.core.internal.Limits;
import dev.sluice.core.tls.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
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

    public UpstreamConnector(ChannelFactory<? extends Channel> channelFactory, ClusterConfig cluster) {
        this(channelFactory, cluster, null);
    }

    /** @param tls TLS to the backends ({@code clusters[].tls}), or null for cleartext */
    public UpstreamConnector(ChannelFactory<? extends Channel> channelFactory, ClusterConfig cluster, @Nullable UpstreamTls tls) {
        this.channelFactory = requireNonNull(channelFactory, "channelFactory");
        this.tls = tls;
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

    /** A bootstrap for connections to {@code backend} that live on {@code loop}. */
    Bootstrap bootstrap(EventLoop loop, HostPort backend) {
        return new Bootstrap()
                .group(loop)
                .channelFactory(channelFactory)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Limits.WATER_MARK)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(UpstreamNames.TLS, tls.newHandler(ch.alloc(), backend));
                        }
                        ch.pipeline()
                                .addLast(UpstreamNames.CODEC, new ClientCodec(MAX_RESPONSE_HEADER_BYTES))
                                .addLast(UpstreamNames.RESPONSE_TIMEOUT, new ResponseTimeoutHandler(responseTimeoutNanos))
                                .addLast(UpstreamNames.IDLE, new IdleStateHandler(0, 0, idleTimeoutNanos, TimeUnit.NANOSECONDS))
                                .addLast(UpstreamNames.BACKEND, new BackendHandler());
                    }
                });
    }
}

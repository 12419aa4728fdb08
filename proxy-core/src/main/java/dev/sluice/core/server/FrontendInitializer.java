package dev.sluice.core.server;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.ListenerConfig;
import dev.sluice.config.model.PathNormalization;
import dev.sluice.core.http.AccessLogHandler;
import dev.sluice.core.http.ClientIps;
import dev.sluice.core.http.EndToEndHeaders;
import dev.sluice.core.http.HeaderTimeoutHandler;
import dev.sluice.core.http.RateLimits;
import dev.sluice.core.http.RequestChain;
import dev.sluice.core.http.RequestContext;
import dev.sluice.core.http.Router;
import dev.sluice.core.http.proxy.ProxyHandler;
import dev.sluice.core.http1.ServerCodec;
import dev.sluice.core.http2.ConnectionErrors;
import dev.sluice.core.http2.StreamGuard;
import dev.sluice.core.metrics.AccessLog;
import dev.sluice.core.ratelimit.InFlightLimiter;
import dev.sluice.core.time.IdleTimeoutHandler;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.time.TimerWheel;
import dev.sluice.core.time.TimerWheels;
import dev.sluice.core.tls.ServerCertificates;
import dev.sluice.core.tls.TlsDetector;
import dev.sluice.core.tls.TlsEvents;
import dev.sluice.core.tracing.Tracing;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Builds the downstream pipeline of every accepted connection of one listener (see
 * {@link PipelineNames}) and enforces the listener's {@code maxConnections} and
 * {@code maxConnectionsPerIp}. Shared by the
 * listener's event loops; its counters are atomics.
 */
final class FrontendInitializer extends ChannelInitializer<Channel> {

    /** The aggregation limit Netty's upgrade handler asks for; only requests without a body reach it (UpgradeHandler). */
    static final int MAX_UPGRADE_REQUEST_BYTES = 16 * 1024;
    private static final AsciiString H2C = AsciiString.cached("h2c");

    /** Read once per accepted connection; a reload that keeps the bind address replaces it. */
    private volatile ListenerConfig listener;
    /** The listener's certificates when it has {@code tls}; replaced with it. */
    private volatile @Nullable ServerCertificates certificates;
    private final EventLoops loops;
    private final TimerWheels wheels;
    private final Supplier<Router> routes;
    private final Ticker ticker;
    private final Supplier<Ingress> ingress;
    // What the handlers read once per request, so a reload reaches open connections too.
    private final Supplier<InFlightLimiter> shedding;
    private final Supplier<RateLimits> limits;
    private final Supplier<AccessLog> accessLog;
    private final Supplier<Tracing> tracing;
    private final Supplier<EndToEndHeaders> endToEnd;
    private final AtomicInteger open = new AtomicInteger();
    /** Every open client connection, for a drain. */
    final io.netty.channel.group.ChannelGroup connections =
            new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    private volatile boolean draining;
    private final LongAdder rejected = new LongAdder();
    private final PerIpConnections perIp = new PerIpConnections();

    FrontendInitializer(ListenerConfig listener, @Nullable ServerCertificates certificates, EventLoops loops, TimerWheels wheels,
            Supplier<Router> routes, Ticker ticker, Supplier<Ingress> ingress) {
        this.listener = requireNonNull(listener, "listener");
        this.certificates = certificates;
        this.loops = requireNonNull(loops, "loops");
        this.wheels = requireNonNull(wheels, "wheels");
        this.routes = requireNonNull(routes, "routes");
        this.ticker = requireNonNull(ticker, "ticker");
        this.ingress = requireNonNull(ingress, "ingress");
        this.shedding = () -> ingress.get().shedding();
        this.limits = () -> ingress.get().limits();
        this.accessLog = () -> ingress.get().accessLog();
        this.tracing = () -> ingress.get().tracing();
        this.endToEnd = () -> ingress.get().endToEnd();
    }

    /** Connections accepted from now on use {@code next} (same bind address); open ones keep what they have. */
    void update(ListenerConfig next, @Nullable ServerCertificates nextCertificates) {
        this.certificates = nextCertificates;
        this.listener = requireNonNull(next, "next");
    }

    /** The listener's certificates, or null when it is cleartext. */
    @Nullable ServerCertificates certificates() {
        return certificates;
    }

    static final io.netty.util.AttributeKey<RequestContext> CONTEXT = io.netty.util.AttributeKey.valueOf("sluice.rc");

    /**
     * Tells every open connection the server is draining: HTTP/2 connections get GOAWAY (their
     * open streams finish), HTTP/1.1 connections with no request in progress close now, busy ones
     * answer with {@code Connection: close} and close after.
     */
    void drain() {
        draining = true;
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                RequestContext rc = ch.attr(CONTEXT).get();
                if (rc != null) {
                    rc.drain();
                }
                if (ch.pipeline().get(io.netty.handler.codec.http2.Http2FrameCodec.class) != null) {
                    ch.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame(io.netty.handler.codec.http2.Http2Error.NO_ERROR));
                } else {
                    ProxyHandler proxy = ch.pipeline().get(ProxyHandler.class);
                    if (proxy == null || proxy.idle()) {
                        ch.close();
                    } else {
                        proxy.drain(); // a WebSocket tunnel closes with a close frame (1001)
                    }
                }
            });
        }
    }

    int openConnections() {
        return open.get();
    }

    long rejectedConnections() {
        return rejected.sum();
    }

    @Override
    protected void initChannel(Channel ch) {
        ListenerConfig listener = this.listener;
        ServerCertificates tls = listener.tls() == null ? null : certificates;
        Ingress ingress = this.ingress.get();
        InetAddress peer = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        if (open.incrementAndGet() > listener.maxConnections()) {
            open.decrementAndGet();
            rejected.increment();
            ch.close();
            return;
        }
        if (!perIp.tryOpen(peer, listener.maxConnectionsPerIp())) {
            open.decrementAndGet();
            rejected.increment();
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> {
            open.decrementAndGet();
            perIp.closed(peer);
        });
        connections.add(ch);
        String clientIp = peer.getHostAddress();
        ClientIps trustedPeer = ingress.clientIps().isTrusted(peer.getAddress()) ? ingress.clientIps() : null;
        int loopIndex = loops.indexOf(ch.eventLoop());
        boolean secure = tls != null;
        RequestContext rc = new RequestContext(clientIp, trustedPeer, secure, false, loopIndex);
        Connection connection = new Connection(listener, clientIp, trustedPeer, loopIndex, secure);
        if (draining) {
            rc.drain();
        }
        rc.countRefusalsIn(ingress.refusals());
        ch.attr(CONTEXT).set(rc);

        int maxHead = listener.maxHeaderBytes().toIntSaturated();
        ServerCodec codec = new ServerCodec(maxHead, Math.min(maxHead, 8192), listener.maxRequestBodyBytes().bytes());
        TimerWheel wheel = wheels.of(ch.eventLoop());
        ChannelPipeline p = ch.pipeline();
        p.addLast(PipelineNames.LINGER, new LingeringClose(wheel));
        if (tls != null) {
            TlsEvents events = new TlsEvents(new ConnectionErrors(ingress.clientErrors(), clientIp, ticker));
            p.addLast(PipelineNames.TLS, new TlsDetector(tls, events, listener.headerTimeout().toMillis(), PipelineNames.TLS));
            p.addLast(PipelineNames.TLS_EVENTS, events);
        }
        p.addLast(PipelineNames.FLUSH_CONSOLIDATION, new FlushConsolidationHandler(256, true));
        p.addLast(PipelineNames.IDLE, new IdleTimeoutHandler(wheel, listener.idleTimeout().toNanos()));
        p.addLast(PipelineNames.HEADER_TIMEOUT, new HeaderTimeoutHandler(rc, wheel, listener.headerTimeout().toNanos()));
        p.addLast(PipelineNames.H2_PREFACE, new PrefaceDetector(ctx -> priorKnowledge(ctx, connection)));
        p.addLast(PipelineNames.CODEC, codec);
        if (!secure) { // h2c is cleartext only; over TLS, ALPN offers h2
            p.addLast(PipelineNames.H2C_UPGRADE, new UpgradeHandler(codec,
                    protocol -> {
                        if (!AsciiString.contentEquals(H2C, protocol)) {
                            return null;
                        }
                        Http2Parts h2 = http2(connection);
                        return new Http2ServerUpgradeCodec(h2.codec(), h2.multiplex(), h2.tail());
                    },
                    MAX_UPGRADE_REQUEST_BYTES));
        }
        p.addLast(PipelineNames.FLOW_CONTROL, new FlowControlHandler());
        p.addLast(PipelineNames.KEEP_ALIVE, new HttpServerKeepAliveHandler());
        requestHandlers(p, rc, listener, wheel);
    }

    /** The handlers every request passes, on an HTTP/1.1 connection and on an HTTP/2 stream alike. */
    private void requestHandlers(ChannelPipeline p, RequestContext rc, ListenerConfig listener, TimerWheel wheel) {
        p.addLast(PipelineNames.ACCESS_LOG, new AccessLogHandler(rc, accessLog, tracing, ticker));
        p.addLast(PipelineNames.REQUEST_CHAIN, new RequestChain(rc, ticker, listener.maxRequestBodyBytes().bytes(),
                listener.pathNormalization() == PathNormalization.STRICT, endToEnd, shedding, limits, routes));
        p.addLast(PipelineNames.PROXY, rc.http2()
                ? new ProxyHandler(rc, ticker, wheel, listener.maxRequestBodyBytes().bytes(), listener.requestTimeout().toNanos())
                : new ProxyHandler(rc, ticker, wheel, listener.maxRequestBodyBytes().bytes(), listener.requestTimeout().toNanos(),
                        PipelineNames::stripForTunnel));
    }

    private static Http2FrameCodec frameCodec(ListenerConfig listener) {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(listener.http2().maxConcurrentStreams())
                        .maxHeaderListSize(listener.maxHeaderBytes().bytes()))
                .decoderEnforceMaxRstFramesPerWindow(listener.http2().maxResetsPerWindow(),
                        (int) Math.max(1, listener.http2().resetWindow().toSeconds()))
                .build();
    }

    /** The connection-level HTTP/2 handlers of one connection, sharing its {@link ConnectionErrors}. */
    private record Http2Parts(Http2FrameCodec codec, Http2MultiplexHandler multiplex, Http2ConnectionTail tail) {
    }

    private Http2Parts http2(Connection connection) {
        ListenerConfig l = connection.listener();
        ConnectionErrors errors = new ConnectionErrors(ingress.get().clientErrors(), connection.clientIp(), ticker);
        return new Http2Parts(frameCodec(l), new Http2MultiplexHandler(new StreamInitializer(connection, errors)),
                new Http2ConnectionTail(errors, ticker, l.idleTimeout().toNanos(), l.headerTimeout().toNanos()));
    }

    /** What the HTTP/2 handlers of one connection need to know of it: its listener settings, its client, its event loop. */
    private record Connection(ListenerConfig listener, String clientIp, @Nullable ClientIps trustedPeer, int loopIndex, boolean secure) {
    }

    /** The HTTP/2 preface was seen: the HTTP/2 handlers take the place of the HTTP/1.1 codec, after {@code ctx}. */
    private void priorKnowledge(ChannelHandlerContext ctx, Connection connection) {
        ChannelPipeline p = ctx.pipeline();
        p.remove(PipelineNames.CODEC);
        if (p.get(PipelineNames.H2C_UPGRADE) != null) {
            p.remove(PipelineNames.H2C_UPGRADE);
        }
        Http2Parts h2 = http2(connection);
        p.addAfter(ctx.name(), PipelineNames.H2_FRAME_CODEC, h2.codec());
        p.addAfter(PipelineNames.H2_FRAME_CODEC, PipelineNames.H2_MULTIPLEX, h2.multiplex());
        p.addAfter(PipelineNames.H2_MULTIPLEX, PipelineNames.H2_CONNECTION, h2.tail());
    }

    /** The pipeline of one HTTP/2 stream: the same handlers as HTTP/1.1, over the same message objects. */
    private final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
        private final Connection connection;
        private final ConnectionErrors errors;

        StreamInitializer(Connection connection, ConnectionErrors errors) {
            this.connection = connection;
            this.errors = errors;
        }

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.config().setAutoRead(false);
            ListenerConfig listener = connection.listener();
            RequestContext rc = new RequestContext(connection.clientIp(), connection.trustedPeer(), connection.secure(), true,
                    connection.loopIndex());
            rc.countRefusalsIn(ingress.get().refusals());
            ChannelPipeline p = ch.pipeline();
            p.addLast(PipelineNames.H2_STREAM_GUARD, new StreamGuard(errors));
            p.addLast(PipelineNames.H2_STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(true));
            p.addLast(PipelineNames.FLOW_CONTROL, new FlowControlHandler());
            requestHandlers(p, rc, listener, wheels.of(ch.eventLoop()));
        }
    }
}

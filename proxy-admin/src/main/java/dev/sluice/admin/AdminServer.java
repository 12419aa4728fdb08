package dev.sluice.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.sluice.config.model.ByteSize;
import dev.sluice.config.model.HostPort;
import dev.sluice.config.model.Rate;
import dev.sluice.config.model.YamlName;
import dev.sluice.core.server.SluiceServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The admin port: its own Netty server and thread on {@code admin.bind}, never a public
 * listener's address (the configuration refuses that). Read-only views of the core, plus
 * {@code POST} controls; {@link AdminGuard} decides who may ask (Host, Origin, token, peer). Admin requests are small and rare, so they are aggregated here (never on the proxy path).
 */
public final class AdminServer implements AutoCloseable {

    private static final int MAX_ADMIN_REQUEST = 64 * 1024;
    private static final String SEC_FETCH_SITE = "sec-fetch-site";

    private final SluiceServer proxy;
    private final ObjectMapper json;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Runnable onDrain;
    private final @Nullable Reloader reloader;
    private final Metrics metrics;
    private final byte[] dashboard;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sluice-admin", true),
            NioIoHandler.newFactory());
    private final Channel channel;

    public AdminServer(SluiceServer proxy, HostPort bind) throws Exception {
        this(proxy, bind, () -> { }, null);
    }

    /**
     * @param onDrain runs (on a thread of its own) after {@code POST /drain} turned readiness off
     * @param reloader what {@code POST /reload} asks; null answers 409 (no file to reload from)
     */
    AdminServer(SluiceServer proxy, HostPort bind, Runnable onDrain, @Nullable Reloader reloader) throws Exception {
        this.proxy = requireNonNull(proxy, "proxy");
        this.onDrain = requireNonNull(onDrain, "onDrain");
        this.reloader = reloader;
        this.json = mapper();
        this.metrics = new Metrics(proxy);
        try (var in = AdminServer.class.getResourceAsStream("dashboard.html")) {
            this.dashboard = in.readAllBytes();
        }
        InetSocketAddress address = bind.isWildcard() ? new InetSocketAddress(bind.port()) : new InetSocketAddress(bind.host(), bind.port());
        var bound = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_ADMIN_REQUEST), new Router());
                    }
                })
                .bind(address).await();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new java.io.IOException("admin.bind " + bind + " cannot be bound: " + bound.cause().getMessage(), bound.cause());
        }
        this.channel = bound.channel();
    }

    static ObjectMapper mapper() {
        SimpleModule yamlForms = new SimpleModule("sluice-values");
        yamlForms.addSerializer(ByteSize.class, ToStringSerializer.instance);
        yamlForms.addSerializer(Rate.class, ToStringSerializer.instance);
        yamlForms.addSerializer(HostPort.class, ToStringSerializer.instance);
        yamlForms.addSerializer(Duration.class, new com.fasterxml.jackson.databind.JsonSerializer<Duration>() {
            @Override
            public void serialize(Duration d, com.fasterxml.jackson.core.JsonGenerator g,
                    com.fasterxml.jackson.databind.SerializerProvider p) throws IOException {
                g.writeString(d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms");
            }
        });
        yamlForms.addSerializer(Enum.class, new com.fasterxml.jackson.databind.JsonSerializer<Enum>() {
            @Override
            public void serialize(Enum e, com.fasterxml.jackson.core.JsonGenerator g,
                    com.fasterxml.jackson.databind.SerializerProvider p) throws IOException {
                g.writeString(e instanceof YamlName y ? y.yamlName() : e.name().toLowerCase(java.util.Locale.ROOT));
            }
        });
        return new ObjectMapper().registerModule(yamlForms).enable(SerializationFeature.INDENT_OUTPUT);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Whether a drain was requested (readiness answers 503 from then on). */
    public boolean draining() {
        return draining.get();
    }

    /** Turns readiness off (a drain started elsewhere, such as SIGTERM). */
    public void markDraining() {
        draining.set(true);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Dispatches to one small method per endpoint. */
    private final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
            String path = req.uri().split("\\?", 2)[0];
            boolean get = HttpMethod.GET.equals(req.method());
            boolean post = HttpMethod.POST.equals(req.method());
            FullHttpResponse resp;
            AdminGuard.Refusal refusal = AdminGuard.check(proxy.config().admin(), post, // a reload may change the token
                    req.headers().get(HttpHeaderNames.HOST), req.headers().get(HttpHeaderNames.ORIGIN),
                    req.headers().get(SEC_FETCH_SITE), req.headers().get(HttpHeaderNames.AUTHORIZATION),
                    ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress(),
                    ((InetSocketAddress) ctx.channel().localAddress()).getAddress());
            if (refusal != null) {
                resp = text(refusal.status(), refusal.reason());
                if (refusal.status() == HttpResponseStatus.UNAUTHORIZED) {
                    resp.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
                }
                respond(ctx, false, resp);
                return;
            }
            if (get && path.equals("/")) {
                resp = bytes(HttpResponseStatus.OK, "text/html; charset=utf-8", dashboard);
            } else if (get && path.equals("/health/live")) {
                resp = text(HttpResponseStatus.OK, "live");
            } else if (get && path.equals("/health/ready")) {
                resp = ready();
            } else if (get && path.equals("/stats")) {
                var hottest = proxy.ingress().partitions();
                var store = proxy.ingress().store();
                var refused = new java.util.LinkedHashMap<String, Long>();
                for (String reason : dev.sluice.core.server.Ingress.REFUSALS) {
                    refused.put(reason, proxy.ingress().refusals().get(reason));
                }
                resp = bytes(HttpResponseStatus.OK, "application/json", json.writeValueAsBytes(new Stats(proxy.snapshot(),
                        hottest == null ? java.util.List.of() : hottest.top(10), store == null ? null : store.status(),
                        refused, proxy.config().admin().hotSpotFactor())));
            } else if (get && path.equals("/metrics")) {
                resp = bytes(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape().getBytes(StandardCharsets.UTF_8));
            } else if (get && path.equals("/config")) {
                resp = bytes(HttpResponseStatus.OK, "application/json", json.writeValueAsBytes(Redacted.of(proxy.config())));
            } else if (post && (path.equals("/drain") || path.equals("/reload"))) {
                if (path.equals("/drain")) {
                    if (draining.compareAndSet(false, true)) {
                        new Thread(onDrain, "sluice-drain").start();
                    }
                    resp = text(HttpResponseStatus.OK, "draining: readiness now answers 503");
                } else {
                    reload(ctx, HttpUtil.isKeepAlive(req));
                    return;
                }
            } else if (path.equals("/health/live") || path.equals("/health/ready") || path.equals("/stats")
                    || path.equals("/config") || path.equals("/drain") || path.equals("/reload")) {
                resp = text(HttpResponseStatus.METHOD_NOT_ALLOWED, req.method() + " " + path + " is not allowed");
            } else {
                resp = text(HttpResponseStatus.NOT_FOUND, "no admin endpoint " + path);
            }
            respond(ctx, HttpUtil.isKeepAlive(req), resp);
        }

        private void respond(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse resp) {
            HttpUtil.setKeepAlive(resp, keepAlive);
            var f = ctx.writeAndFlush(resp);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        /**
         * Answers when the reload thread is done (the admin loop never waits): 200 with one line
         * per change, 422 with one line per problem (the previous configuration still runs), 409
         * when there is no file to reload from.
         */
        private void reload(ChannelHandlerContext ctx, boolean keepAlive) {
            if (reloader == null) {
                respond(ctx, keepAlive, text(HttpResponseStatus.CONFLICT, "no configuration file to reload from"));
                return;
            }
            reloader.reload("POST /reload").whenComplete((outcome, e) -> ctx.executor().execute(() -> {
                FullHttpResponse resp;
                if (e != null) {
                    resp = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "reload failed: " + e);
                } else {
                    HttpResponseStatus status = switch (outcome.status()) {
                        case APPLIED -> HttpResponseStatus.OK;
                        case REFUSED -> HttpResponseStatus.UNPROCESSABLE_ENTITY;
                        case NO_FILE -> HttpResponseStatus.CONFLICT;
                    };
                    String head = switch (outcome.status()) {
                        case APPLIED -> "reloaded";
                        case REFUSED -> "reload refused; still running the previous configuration";
                        case NO_FILE -> "nothing to reload";
                    };
                    resp = text(status, head + "\n" + String.join("\n", outcome.lines()));
                }
                respond(ctx, keepAlive, resp);
            }));
        }

        private FullHttpResponse ready() {
            if (draining.get()) {
                return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "draining");
            }
            if (!proxy.anyClusterServing()) {
                return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "no cluster has a healthy node");
            }
            return text(HttpResponseStatus.OK, "ready");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return bytes(status, "text/plain; charset=utf-8", (body + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse bytes(HttpResponseStatus status, String type, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                io.netty.buffer.Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    /**
     * The {@code /stats} document; {@code store} is null unless {@code rateLimits.store: redis};
     * {@code refused} counts refusals at the door by reason since start; {@code hotSpotFactor} is
     * the line a node's QPS must cross, times its cluster's mean, to be hot.
     */
    record Stats(java.util.List<dev.sluice.core.metrics.Snapshots.ClusterSnapshot> clusters,
            java.util.List<dev.sluice.core.metrics.HeavyHitters.Hitter> topPartitions,
            dev.sluice.core.fleet.RedisStore.@Nullable Status store, java.util.Map<String, Long> refused, double hotSpotFactor) {
    }

    /** The {@code /config} document: the effective configuration with the admin token hidden. */
    static final class Redacted {
        private Redacted() {
        }

        static Object of(dev.sluice.config.model.ProxyConfig c) {
            var a = c.admin();
            var admin = new dev.sluice.config.model.AdminConfig(a.bind(), a.hotSpotFactor(),
                    a.token().isEmpty() ? "" : "<redacted>", a.allowedHosts());
            return new dev.sluice.config.model.ProxyConfig(c.server(), c.listeners(), admin, c.shedding(), c.rateLimits(),
                    c.routes(), c.clusters(), c.accessLog(), c.hotSpot(), c.tracing());
        }
    }
}

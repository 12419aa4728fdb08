package dev.sluice.core.server;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.load.SourceMap;
import dev.sluice.config.model.BackendConfig;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.ListenerConfig;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.core.balance.Balancer;
import dev.sluice.core.balance.Balancers;
import dev.sluice.core.balance.RandomSource;
import dev.sluice.core.health.HealthMonitor;
import dev.sluice.core.internal.Limits;
import dev.sluice.core.health.HttpHealthChecker;
import dev.sluice.core.http.Router;
import dev.sluice.core.metrics.Snapshots;
import dev.sluice.core.ratelimit.GradientLimiter;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.DnsRefresher;
import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.UpstreamConnector;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A running Sluice data plane: one event-loop group serving every listener and every upstream
 * connection, the clusters with their nodes and pools, and the router.
 *
 * <p>Thread-safety: {@link #start} and {@link #close} are called by the owner (the main thread);
 * the accessors may be called from any thread.
 */
public final class SluiceServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SluiceServer.class.getName());

    private final ProxyConfig config;
    private final Ticker ticker;
    private final Transport transport;
    private final EventLoopGroup group;
    private final EventLoops loops;
    private final Map<String, Cluster> clusters;
    private final Router router;
    private final Ingress ingress;
    private final List<HealthMonitor> monitors = new ArrayList<>();
    private final Map<Cluster, DnsRefresher> dnsRefreshers = new LinkedHashMap<>();
    private final DnsRefresher.Resolver resolver = DnsRefresher.Resolver.SYSTEM;
    /** Recomputes effective weights and rebuilds pickers, off the event loops. */
    private final ScheduledExecutorService refresher;
    private final Map<String, Channel> listeners = new LinkedHashMap<>();
    private final Map<String, FrontendInitializer> initializers = new LinkedHashMap<>();

    private SluiceServer(ProxyConfig config, SourceMap lines, Ticker ticker) throws ConfigException {
        this.config = config;
        this.ticker = ticker;
        this.transport = Transport.detect();
        int threads = config.server().eventLoopThreads() == 0
                ? Runtime.getRuntime().availableProcessors() : config.server().eventLoopThreads();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("sluice-loop", false),
                transport.ioHandlerFactory());
        this.loops = new EventLoops(group);
        List<ConfigProblem> problems = new ArrayList<>();
        this.clusters = buildClusters(config, lines, problems);
        if (!problems.isEmpty()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new ConfigException("backends", problems);
        }
        this.router = new Router(config.routes(), clusters);
        this.ingress = Ingress.of(config, ticker);
        this.refresher = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("sluice-refresh", true));
        scheduleRefreshes();
        startHealthChecks();
    }

    /** Builds the data plane and binds every listener; throws when an address cannot be resolved or bound. */
    public static SluiceServer start(ProxyConfig config, SourceMap lines, Ticker ticker) throws ConfigException, InterruptedException {
        SluiceServer server = new SluiceServer(requireNonNull(config, "config"), requireNonNull(lines, "lines"),
                requireNonNull(ticker, "ticker"));
        try {
            server.bindAll();
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public static SluiceServer start(ProxyConfig config) throws ConfigException, InterruptedException {
        return start(config, SourceMap.EMPTY, Ticker.SYSTEM);
    }

    private void bindAll() throws InterruptedException, ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        for (int i = 0; i < config.listeners().size(); i++) {
            ListenerConfig l = config.listeners().get(i);
            FrontendInitializer init = new FrontendInitializer(l, loops, () -> router, ticker, ingress);
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channelFactory(transport.serverChannels())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Limits.WATER_MARK)
                    .childHandler(init);
            var f = b.bind(l.bind().isWildcard() ? new InetSocketAddress(l.bind().port())
                    : new InetSocketAddress(l.bind().host(), l.bind().port())).await();
            if (!f.isSuccess()) {
                problems.add(new ConfigProblem("listeners[" + i + "].bind", 0,
                        l.bind() + " cannot be bound: " + f.cause().getMessage()));
                continue;
            }
            listeners.put(l.name(), f.channel());
            initializers.put(l.name(), init);
            LOG.log(System.Logger.Level.INFO, "listener {0} on {1} ({2})", l.name(), f.channel().localAddress(), transport.name());
        }
        if (!problems.isEmpty()) {
            close();
            throw new ConfigException("listeners", problems);
        }
    }

    /**
     * Builds every cluster, resolving each backend host (all of its addresses) on this thread
     * before any event loop runs; a name that does not resolve is reported with its key path.
     */
    private Map<String, Cluster> buildClusters(ProxyConfig config, SourceMap lines, List<ConfigProblem> problems) {
        Map<String, Cluster> out = new LinkedHashMap<>();
        for (int i = 0; i < config.clusters().size(); i++) {
            ClusterConfig c = config.clusters().get(i);
            UpstreamConnector connector = new UpstreamConnector(transport.clientChannels(), c);
            AtomicInteger inFlight = new AtomicInteger();
            BiFunction<BackendConfig, InetSocketAddress, Node> factory = (b, sa) ->
                    new Node(c.name(), b.address(), sa, b.weight(), connector, loops.size(), inFlight);
            List<Node> nodes = DnsRefresher.resolve(c.backends(), List.of(), resolver, factory);
            for (int j = 0; j < c.backends().size(); j++) {
                BackendConfig b = c.backends().get(j);
                if (nodes.stream().noneMatch(n -> n.address().equals(b.address()))) {
                    String path = "clusters[" + i + "].backends[" + j + "].address";
                    problems.add(new ConfigProblem(path, lines.line(path), b.address().host() + " cannot be resolved"));
                }
            }
            Balancer balancer = Balancers.create(c, inFlight, RandomSource.THREAD_LOCAL);
            Cluster cluster = new Cluster(c, nodes, balancer, inFlight, ticker.nanoTime());
            cluster.hotSpotFactor(config.admin().hotSpotFactor());
            if (config.hotSpot().feedback()) {
                cluster.hotWeightFactor(config.hotSpot().weightFactor());
            }
            out.put(c.name(), cluster);
            if (DnsRefresher.hasNames(c.backends())) {
                dnsRefreshers.put(cluster, new DnsRefresher(cluster, resolver, factory, ticker));
            }
        }
        return out;
    }

    /** One monitor per cluster with a healthCheck; each node is probed from the event loop its index selects. */
    private void startHealthChecks() {
        EventLoop[] byIndex = new EventLoop[loops.size()];
        int k = 0;
        for (var e : group) {
            byIndex[k++] = (EventLoop) e;
        }
        for (Cluster c : clusters.values()) {
            if (c.config().healthCheck() == null) {
                continue;
            }
            monitors.add(new HealthMonitor(c, ticker,
                    loop -> new HttpHealthChecker(c.config().healthCheck(), loop, transport.clientChannels()),
                    node -> byIndex[Math.floorMod(node.socketAddress().hashCode(), byIndex.length)]));
        }
    }

    /**
     * Each cluster's weights are recomputed on the refresh thread at its {@code adaptiveWeights.interval};
     * an adaptive shedding limit at {@code shedding.interval}.
     */
    private void scheduleRefreshes() {
        if (ingress.partitions() != null) {
            refresher.scheduleAtFixedRate(ingress.partitions()::decay, 1, 1, TimeUnit.SECONDS);
        }
        if (ingress.shedding() instanceof GradientLimiter g) {
            long period = config.shedding().interval().toNanos();
            refresher.scheduleAtFixedRate(g::update, period, period, TimeUnit.NANOSECONDS);
        }
        dnsRefreshers.forEach((c, dns) -> {
            long period = c.config().dnsRefresh().toNanos();
            refresher.scheduleWithFixedDelay(dns, period, period, TimeUnit.NANOSECONDS);
        });
        for (Cluster c : clusters.values()) {
            c.refreshOn(refresher, ticker);
            long period = c.config().adaptiveWeights().interval().toNanos();
            refresher.scheduleAtFixedRate(() -> {
                try {
                    c.refresh(ticker.nanoTime());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "refreshing cluster " + c.name() + " failed", e);
                }
            }, period, period, TimeUnit.NANOSECONDS);
        }
    }

    /** The bound address of a listener (useful with port 0). */
    public InetSocketAddress address(String listenerName) {
        Channel ch = listeners.get(listenerName);
        if (ch == null) {
            throw new IllegalArgumentException("listener: " + listenerName + " (expected one of: " + listeners.keySet() + ")");
        }
        return (InetSocketAddress) ch.localAddress();
    }

    /** Every cluster as the admin port reports it, now. */
    public List<Snapshots.ClusterSnapshot> snapshot() {
        long now = ticker.nanoTime();
        List<Snapshots.ClusterSnapshot> out = new ArrayList<>();
        for (Cluster c : clusters.values()) {
            out.add(Snapshots.of(c, now));
        }
        return out;
    }

    /** Whether some cluster has an eligible node (for readiness). */
    public boolean anyClusterServing() {
        for (Cluster c : clusters.values()) {
            if (c.eligibleCount() > 0) {
                return true;
            }
        }
        return clusters.isEmpty();
    }

    /** The process-wide ingress protections (shedding, rate limits). */
    public Ingress ingress() {
        return ingress;
    }

    public Map<String, Cluster> clusters() {
        return clusters;
    }

    public ProxyConfig config() {
        return config;
    }

    /** Open downstream connections of a listener. */
    public int openConnections(String listenerName) {
        return initializers.get(listenerName).openConnections();
    }

    /** Connections of a listener closed at accept because it was at {@code maxConnections}. */
    public long rejectedConnections(String listenerName) {
        return initializers.get(listenerName).rejectedConnections();
    }

    /**
     * Graceful drain: stop accepting (the listening sockets close, so new connections are refused),
     * tell every connection (GOAWAY on HTTP/2; close idle HTTP/1.1 connections, {@code Connection:
     * close} on the rest), then wait until no request is in flight or {@code deadline} passes.
     * Returns whether everything finished in time. Blocks the caller (never an event loop).
     */
    public boolean drain(java.time.Duration deadline) throws InterruptedException {
        for (Channel ch : listeners.values()) {
            ch.close().awaitUninterruptibly();
        }
        for (FrontendInitializer init : initializers.values()) {
            init.drain();
        }
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() - end < 0) {
            if (ingress.shedding().inFlight() == 0) {
                return true;
            }
            Thread.sleep(20); // the draining thread is the main thread, not an event loop
        }
        return ingress.shedding().inFlight() == 0;
    }

    /** Closes the listeners, then every connection, and stops the event loops. */
    @Override
    public void close() {
        for (Channel ch : listeners.values()) {
            ch.close().awaitUninterruptibly();
        }
        listeners.clear();
        monitors.forEach(HealthMonitor::close);
        if (ingress.accessLog() != null) {
            ingress.accessLog().close();
        }
        refresher.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}

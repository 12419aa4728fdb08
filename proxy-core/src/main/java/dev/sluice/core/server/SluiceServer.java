package dev.sluice.core.server;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.load.SourceMap;
import dev.sluice.config.model.BackendConfig;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.ListenerConfig;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.core.balance.Balancers;
import dev.sluice.core.balance.RandomSource;
import dev.sluice.core.fleet.FleetLoads;
import dev.sluice.core.fleet.RedisStore;
import dev.sluice.core.http.Router;
import dev.sluice.core.internal.Limits;
import dev.sluice.core.metrics.AccessLog;
import dev.sluice.core.metrics.HeavyHitters;
import dev.sluice.core.metrics.Snapshots;
import dev.sluice.core.ratelimit.GradientLimiter;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.time.TimerWheels;
import dev.sluice.core.tls.ServerCertificates;
import dev.sluice.core.tls.TlsProvider;
import dev.sluice.core.tls.UpstreamTls;
import dev.sluice.core.tracing.Tracing;
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
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * A running Sluice data plane: one event-loop group serving every listener and every upstream
 * connection, and the current {@link Generation} (configuration, clusters, router, ingress
 * protections), which {@link #reload} replaces in one volatile write.
 *
 * <p>Thread-safety: {@link #start}, {@link #reload}, {@link #drain} and {@link #close} are called
 * by the owner (one at a time: they synchronize); the accessors may be called from any thread.
 * Cluster changes are applied on the refresh thread, so they never interleave with a DNS
 * re-resolution or a weight refresh.
 */
public final class SluiceServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SluiceServer.class.getName());

    /** What requests are served with now: replaced whole by a reload. */
    private record Generation(ProxyConfig config, Map<String, Cluster> clusters, Router router, Ingress ingress) {
    }

    private final Ticker ticker;
    private final Transport transport;
    private final EventLoopGroup group;
    private final EventLoops loops;
    /** The deadlines of each event loop (request, response, head and idle timeouts). */
    private final TimerWheels wheels = new TimerWheels();
    private final EventLoop[] loopByIndex;
    private final DnsRefresher.Resolver resolver = DnsRefresher.Resolver.SYSTEM;
    /** Recomputes effective weights and rebuilds pickers, re-resolves names, applies reloads; off the event loops. */
    private final ScheduledExecutorService refresher;
    private final SslProvider tlsProvider = TlsProvider.get();
    private volatile Generation current;
    /**
     * The running clusters by name, with what keeps each going. Touched at start, and by a reload
     * (holding {@code this}) or the swap it waits for on the refresh thread.
     */
    private final Map<String, ClusterRun> runs = new LinkedHashMap<>();
    /** Periodic work of the ingress protections, by the object it works on; confined as {@link #runs}. */
    private final Map<Object, ScheduledFuture<?>> ingressTasks = new IdentityHashMap<>();
    /** The open listeners by name; replaced whole, read from any thread. */
    private volatile Map<String, Listener> listeners = Map.of();
    private final Object accessLogLock = new Object(); // not this: a reload holds this while the refresh thread swaps
    private @Nullable AccessLog accessLog; // created on first use, guarded by accessLogLock
    /** Where access-log lines go: standard output, or a test's sink. */
    private final OutputStream accessLogOut;

    private record Listener(ListenerConfig config, Channel channel, FrontendInitializer init) {
    }

    private SluiceServer(ProxyConfig config, SourceMap lines, Ticker ticker, OutputStream accessLogOut)
            throws ConfigException {
        this.ticker = ticker;
        this.accessLogOut = accessLogOut;
        this.transport = Transport.detect();
        int threads = config.server().eventLoopThreads() == 0
                ? Runtime.getRuntime().availableProcessors() : config.server().eventLoopThreads();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("sluice-loop", false),
                transport.ioHandlerFactory());
        this.loops = new EventLoops(group);
        this.loopByIndex = new EventLoop[loops.size()];
        int k = 0;
        for (var e : group) {
            loopByIndex[k++] = (EventLoop) e;
        }
        this.refresher = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("sluice-refresh", true));
        // Certificates changed on disk are taken by the next handshake (a file read a second per TLS listener).
        refresher.scheduleWithFixedDelay(this::reloadCertificates, 1, 1, TimeUnit.SECONDS);
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, Cluster> clusters = new LinkedHashMap<>();
        long now = ticker.nanoTime();
        for (int i = 0; i < config.clusters().size(); i++) {
            ClusterRun run = newCluster(config, i, lines, problems, now);
            runs.put(run.cluster.name(), run);
            clusters.put(run.cluster.name(), run.cluster);
        }
        if (!problems.isEmpty()) {
            refresher.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new ConfigException("backends", problems);
        }
        this.current = new Generation(config, clusters, new Router(config.routes(), clusters),
                Ingress.of(config, ticker, null, null, this::accessLog));
        runs.values().forEach(ClusterRun::start);
        scheduleIngress(current.ingress());
        publishFleetLoad(null, current.ingress());
    }

    /** Builds the data plane and binds every listener; throws when an address cannot be resolved or bound. */
    public static SluiceServer start(ProxyConfig config, SourceMap lines, Ticker ticker) throws ConfigException, InterruptedException {
        return start(config, lines, ticker, System.out);
    }

    /** As {@link #start(ProxyConfig, SourceMap, Ticker)}, writing access-log lines to {@code accessLogOut}. */
    public static SluiceServer start(ProxyConfig config, SourceMap lines, Ticker ticker, OutputStream accessLogOut)
            throws ConfigException, InterruptedException {
        requireNonNull(config, "config");
        requireNonNull(lines, "lines");
        SluiceServer server = new SluiceServer(config, lines, requireNonNull(ticker, "ticker"),
                requireNonNull(accessLogOut, "accessLogOut"));
        try {
            synchronized (server) {
                List<ConfigProblem> problems = new ArrayList<>();
                Map<String, Listener> bound = new LinkedHashMap<>();
                for (int i = 0; i < config.listeners().size(); i++) {
                    server.bind(config.listeners().get(i), i, lines, bound, problems);
                }
                server.listeners = Map.copyOf(bound);
                if (!problems.isEmpty()) {
                    throw new ConfigException("listeners", problems);
                }
            }
        } catch (RuntimeException | InterruptedException | ConfigException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public static SluiceServer start(ProxyConfig config) throws ConfigException, InterruptedException {
        return start(config, SourceMap.EMPTY, Ticker.SYSTEM);
    }

    /** Opens one listener into {@code into}, or names why it cannot be opened in {@code problems}. */
    private void bind(ListenerConfig l, int index, SourceMap lines, Map<String, Listener> into, List<ConfigProblem> problems)
            throws InterruptedException {
        ServerCertificates certificates = null;
        if (l.tls() != null) {
            certificates = ServerCertificates.forListener(l, index, lines, tlsProvider, problems);
            if (certificates == null) {
                return;
            }
        }
        FrontendInitializer init = new FrontendInitializer(l, certificates, loops, wheels, () -> current.router(), ticker, () -> current.ingress());
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
            String path = "listeners[" + index + "].bind";
            problems.add(new ConfigProblem(path, lines.line(path), l.bind() + " cannot be bound: " + f.cause().getMessage()));
            return;
        }
        into.put(l.name(), new Listener(l, f.channel(), init));
        LOG.log(System.Logger.Level.INFO, "listener {0} on {1} ({2}{3})", l.name(), f.channel().localAddress(), transport.name(),
                l.tls() == null ? "" : ", TLS by " + TlsProvider.describe(tlsProvider));
    }

    /**
     * Builds cluster {@code index} of {@code config}, resolving each backend host (all of its
     * addresses) on this thread; a name that does not resolve is reported with its key path.
     */
    private ClusterRun newCluster(ProxyConfig config, int index, SourceMap lines, List<ConfigProblem> problems, long now) {
        ClusterConfig c = config.clusters().get(index);
        UpstreamTls tls = c.tls() == null ? null : UpstreamTls.forCluster(c, index, lines, tlsProvider, problems);
        UpstreamConnector connector = new UpstreamConnector(transport.clientChannels(), c, tls, wheels);
        AtomicInteger inFlight = new AtomicInteger();
        BiFunction<BackendConfig, InetSocketAddress, Node> factory = (b, sa) ->
                new Node(c.name(), b.address(), sa, b.weight(), connector, loops.size(), inFlight);
        List<Node> nodes = DnsRefresher.resolve(c.backends(), List.of(), resolver, factory);
        reportUnresolved(c, index, nodes, lines, problems);
        Cluster cluster = new Cluster(c, nodes, Balancers.create(c, inFlight, RandomSource.THREAD_LOCAL, ticker), inFlight, now);
        hotSpots(cluster, config);
        return new ClusterRun(cluster, factory, tls, refresher, ticker, transport, loopByIndex, resolver);
    }

    private static void reportUnresolved(ClusterConfig c, int index, List<Node> nodes, SourceMap lines, List<ConfigProblem> problems) {
        for (int j = 0; j < c.backends().size(); j++) {
            BackendConfig b = c.backends().get(j);
            if (nodes.stream().noneMatch(n -> n.address().equals(b.address()))) {
                String path = "clusters[" + index + "].backends[" + j + "].address";
                problems.add(new ConfigProblem(path, lines.line(path), b.address().host() + " cannot be resolved"));
            }
        }
    }

    private static void hotSpots(Cluster cluster, ProxyConfig config) {
        cluster.hotSpotFactor(config.admin().hotSpotFactor());
        cluster.hotWeightFactor(config.hotSpot().feedback() ? config.hotSpot().weightFactor() : 1.0);
    }

    /**
     * Replaces the running configuration with {@code next}, or changes nothing and throws with
     * every reason it cannot be applied: a backend name that does not resolve, a listener address
     * that cannot be bound, a key that only a restart can change.
     *
     * <p>What changes and what stays: routes, ingress limits and clusters are swapped in one step
     * for every request that starts afterwards (requests in flight finish on what they started
     * with). A cluster whose settings other than {@code backends} are unchanged is kept: nodes that
     * stay are the same objects (statistics, health, slow start, connections), new nodes
     * slow-start, removed nodes leave the picker at once and close their connections as their
     * requests finish. A cluster with other changed settings is rebuilt, and nodes that stay carry
     * their state over. Listeners whose address changed are opened anew and the old ones drained.
     *
     * @return one line per change, for the log and the admin answer
     */
    public synchronized List<String> reload(ProxyConfig next, SourceMap lines) throws ConfigException, InterruptedException {
        Generation old = current;
        List<ConfigProblem> problems = new ArrayList<>();
        restartOnly(old.config(), next, lines, problems);
        long now = ticker.nanoTime();
        Map<String, List<Node>> kept = new LinkedHashMap<>();
        Map<String, ClusterRun> built = new LinkedHashMap<>();
        for (int i = 0; i < next.clusters().size(); i++) {
            ClusterConfig c = next.clusters().get(i);
            ClusterRun run = runs.get(c.name());
            if (run != null && run.cluster.config().sameExceptBackends(c)) {
                List<Node> nodes = DnsRefresher.resolve(c.backends(), run.cluster.nodes(), resolver, run.factory);
                reportUnresolved(c, i, nodes, lines, problems);
                kept.put(c.name(), nodes);
            } else {
                built.put(c.name(), newCluster(next, i, lines, problems, now));
            }
        }
        Map<String, ServerCertificates> certificates = certificatesAfter(next, lines, problems);
        Map<String, Listener> opened = new LinkedHashMap<>();
        if (problems.isEmpty()) {
            for (int i = 0; i < next.listeners().size(); i++) {
                ListenerConfig l = next.listeners().get(i);
                Listener running = listeners.get(l.name());
                if (running == null || !running.config().bind().equals(l.bind())) {
                    bind(l, i, lines, opened, problems);
                }
            }
        }
        if (!problems.isEmpty()) {
            for (Listener l : opened.values()) {
                l.channel().close().awaitUninterruptibly();
            }
            throw new ConfigException("reload", problems);
        }
        List<String> changes = new ArrayList<>();
        try {
            refresher.submit(() -> swap(old, next, kept, built, changes)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("applying the new configuration failed", e.getCause());
        }
        switchListeners(next, opened, certificates, changes);
        if (changes.isEmpty()) {
            changes.add("no changes");
        }
        for (String change : changes) {
            LOG.log(System.Logger.Level.INFO, "reload {0}", change);
        }
        return changes;
    }

    private void reloadCertificates() {
        for (Listener l : listeners.values()) {
            ServerCertificates certificates = l.init().certificates();
            if (certificates != null) {
                certificates.reloadIfChanged();
            }
        }
    }

    /**
     * The certificates each listener that stays on its address serves after a reload: its running
     * ones while its {@code tls} section is unchanged, else loaded anew (a problem when they do not load).
     */
    private Map<String, ServerCertificates> certificatesAfter(ProxyConfig next, SourceMap lines, List<ConfigProblem> problems) {
        Map<String, ServerCertificates> out = new LinkedHashMap<>();
        for (int i = 0; i < next.listeners().size(); i++) {
            ListenerConfig l = next.listeners().get(i);
            Listener running = listeners.get(l.name());
            if (l.tls() == null || running == null || !running.config().bind().equals(l.bind())) {
                continue;
            }
            ServerCertificates now = running.init().certificates();
            ServerCertificates after = now != null && now.config().equals(l.tls()) ? now
                    : ServerCertificates.forListener(l, i, lines, tlsProvider, problems);
            if (after != null) {
                out.put(l.name(), after);
            }
        }
        return out;
    }

    /** Keys a running process cannot change: the event-loop count and the admin address. */
    private static void restartOnly(ProxyConfig old, ProxyConfig next, SourceMap lines, List<ConfigProblem> problems) {
        if (old.server().eventLoopThreads() != next.server().eventLoopThreads()) {
            problems.add(new ConfigProblem("server.eventLoopThreads", lines.line("server.eventLoopThreads"),
                    "changes only with a restart (running with " + old.server().eventLoopThreads() + ")"));
        }
        if (!old.admin().bind().equals(next.admin().bind())) {
            problems.add(new ConfigProblem("admin.bind", lines.line("admin.bind"),
                    "changes only with a restart (running on " + old.admin().bind() + ")"));
        }
    }

    /** On the refresh thread: updates the clusters kept, publishes the new generation, then retires what left. */
    private void swap(Generation old, ProxyConfig next, Map<String, List<Node>> kept, Map<String, ClusterRun> built,
            List<String> changes) {
        long now = ticker.nanoTime();
        Map<String, Cluster> clusters = new LinkedHashMap<>();
        Map<String, ClusterRun> before = new LinkedHashMap<>(runs);
        runs.clear();
        for (ClusterConfig c : next.clusters()) {
            ClusterRun run = before.get(c.name());
            List<Node> nodes = kept.get(c.name());
            if (nodes != null) {
                describeMembers(run.cluster, nodes, changes);
                run.cluster.updateMembers(c, nodes, now);
                run.followNames(); // the new backends may include host names
            } else {
                ClusterRun fresh = built.get(c.name());
                if (run != null) {
                    fresh.cluster.carryOver(predecessors(run.cluster, fresh.cluster), now);
                    changes.add("cluster " + c.name() + ": rebuilt with new settings; nodes that stay keep their state");
                } else {
                    changes.add("cluster " + c.name() + ": added with " + fresh.cluster.nodes().size() + " nodes");
                }
                run = fresh;
            }
            hotSpots(run.cluster, next);
            runs.put(c.name(), run);
            clusters.put(c.name(), run.cluster);
        }
        Ingress ingress = Ingress.of(next, ticker, old.ingress(), old.config(), this::accessLog);
        if (!next.routes().equals(old.config().routes())) {
            changes.add("routes: " + next.routes().size() + " in force");
        }
        ProxyConfig was = old.config();
        if (!next.shedding().equals(was.shedding()) || !next.rateLimits().equals(was.rateLimits())
                || !next.accessLog().equals(was.accessLog()) || !next.server().trustedProxies().equals(was.server().trustedProxies())) {
            changes.add("ingress: shedding, rate limits, access log and trusted proxies as configured");
        }
        if (!next.admin().equals(was.admin()) || !next.hotSpot().equals(was.hotSpot()) || !next.server().equals(was.server())) {
            changes.add("settings: admin token, hot spots, drain timeout and file watch as configured");
        }
        current = new Generation(next, clusters, new Router(next.routes(), clusters), ingress);
        for (var e : before.entrySet()) {
            ClusterRun run = e.getValue();
            if (runs.get(e.getKey()) != run) {
                run.stop();
                run.cluster.retire();
                if (!runs.containsKey(e.getKey())) {
                    changes.add("cluster " + e.getKey() + ": removed; its nodes finish their requests");
                }
            }
        }
        for (ClusterRun run : runs.values()) {
            if (!before.containsValue(run)) {
                run.start();
            }
        }
        scheduleIngress(ingress);
        publishFleetLoad(old.ingress(), ingress);
        RedisStore store = old.ingress().store();
        if (store != null && store != ingress.store()) {
            store.close();
            changes.add("rate limits: the shared store " + store.describe() + " is closed");
        }
        Tracing tracing = old.ingress().tracing();
        if (tracing != null && tracing != ingress.tracing()) {
            tracing.close();
            changes.add("tracing: the exporter to " + tracing.config().endpoint() + " is closed");
        }
    }

    /** A new shared store publishes this replica's node load every second, and brings back the fleet's. */
    private void publishFleetLoad(@Nullable Ingress before, Ingress now) {
        RedisStore store = now.store();
        if (store != null && (before == null || before.store() != store)) {
            store.everySecond(new FleetLoads(store, () -> current.clusters().values(), ticker));
        }
    }

    private static void describeMembers(Cluster cluster, List<Node> next, List<String> changes) {
        for (Node n : next) {
            if (!cluster.nodes().contains(n)) {
                changes.add("cluster " + cluster.name() + ": node " + n.address() + " added (slow start)");
            }
        }
        for (Node n : cluster.nodes()) {
            if (!next.contains(n)) {
                changes.add("cluster " + cluster.name() + ": node " + n.address() + " removed (draining " + n.inFlight() + " in flight)");
            }
        }
    }

    /** Each node of {@code fresh} that has a node of {@code old} with the same backend and address. */
    private static Map<Node, Node> predecessors(Cluster old, Cluster fresh) {
        Map<Node, Node> out = new IdentityHashMap<>();
        for (Node n : fresh.nodes()) {
            for (Node o : old.nodes()) {
                if (o.address().equals(n.address()) && o.socketAddress().equals(n.socketAddress())) {
                    out.put(n, o);
                }
            }
        }
        return out;
    }

    /** Publishes the listeners of {@code next}: opened ones join, moved and removed ones stop accepting and drain. */
    private void switchListeners(ProxyConfig next, Map<String, Listener> opened, Map<String, ServerCertificates> certificates,
            List<String> changes) {
        Map<String, Listener> before = listeners;
        Map<String, Listener> after = new LinkedHashMap<>();
        for (ListenerConfig l : next.listeners()) {
            Listener fresh = opened.get(l.name());
            if (fresh != null) {
                after.put(l.name(), fresh);
                changes.add("listener " + l.name() + ": " + (before.containsKey(l.name()) ? "moved to " : "opened on ")
                        + fresh.channel().localAddress());
            } else {
                Listener running = before.get(l.name());
                if (!running.config().equals(l)) {
                    running.init().update(l, certificates.get(l.name()));
                    changes.add("listener " + l.name() + ": new settings for new connections");
                }
                after.put(l.name(), new Listener(l, running.channel(), running.init()));
            }
        }
        listeners = Map.copyOf(after);
        for (var e : before.entrySet()) {
            Listener l = e.getValue();
            if (after.get(e.getKey()) == null || after.get(e.getKey()).channel() != l.channel()) {
                l.channel().close().awaitUninterruptibly();
                l.init().drain();
                if (!after.containsKey(e.getKey())) {
                    changes.add("listener " + e.getKey() + ": closed; its connections drain");
                }
            }
        }
    }

    /** The access log, opened the first time a configuration enables it and kept until {@link #close}. */
    private AccessLog accessLog() {
        synchronized (accessLogLock) {
            if (accessLog == null) {
                accessLog = new AccessLog(accessLogOut, AccessLog.QUEUE);
            }
            return accessLog;
        }
    }

    /** Schedules the periodic work of {@code ingress} (hottest-partition decay, an adaptive limit) and cancels what it no longer has. */
    private void scheduleIngress(Ingress ingress) {
        HeavyHitters hottest = ingress.partitions();
        GradientLimiter gradient = ingress.shedding() instanceof GradientLimiter g ? g : null;
        ingressTasks.entrySet().removeIf(e -> {
            boolean gone = e.getKey() != hottest && e.getKey() != gradient;
            if (gone) {
                e.getValue().cancel(false);
            }
            return gone;
        });
        if (hottest != null && !ingressTasks.containsKey(hottest)) {
            ingressTasks.put(hottest, refresher.scheduleAtFixedRate(hottest::decay, 1, 1, TimeUnit.SECONDS));
        }
        if (gradient != null && !ingressTasks.containsKey(gradient)) {
            long period = current.config().shedding().interval().toNanos();
            ingressTasks.put(gradient, refresher.scheduleAtFixedRate(gradient::update, period, period, TimeUnit.NANOSECONDS));
        }
    }

    /** The bound address of a listener (useful with port 0). */
    public InetSocketAddress address(String listenerName) {
        Listener l = listeners.get(listenerName);
        if (l == null) {
            throw new IllegalArgumentException("listener: " + listenerName + " (expected one of: " + listeners.keySet() + ")");
        }
        return (InetSocketAddress) l.channel().localAddress();
    }

    /** Every cluster as the admin port reports it, now. */
    public List<Snapshots.ClusterSnapshot> snapshot() {
        long now = ticker.nanoTime();
        List<Snapshots.ClusterSnapshot> out = new ArrayList<>();
        for (Cluster c : current.clusters().values()) {
            out.add(Snapshots.of(c, now));
        }
        return out;
    }

    /** Whether some cluster has an eligible node (for readiness). */
    public boolean anyClusterServing() {
        Map<String, Cluster> clusters = current.clusters();
        for (Cluster c : clusters.values()) {
            if (c.eligibleCount() > 0) {
                return true;
            }
        }
        return clusters.isEmpty();
    }

    /** The process-wide ingress protections (shedding, rate limits) in force now. */
    public Ingress ingress() {
        return current.ingress();
    }

    /** The clusters in force now. */
    public Map<String, Cluster> clusters() {
        return current.clusters();
    }

    /** The clock the data plane measures with. */
    public Ticker ticker() {
        return ticker;
    }

    /** The configuration in force now. */
    public ProxyConfig config() {
        return current.config();
    }

    /** Open downstream connections of a listener. */
    public int openConnections(String listenerName) {
        return listeners.get(listenerName).init().openConnections();
    }

    /** Connections of a listener closed at accept because it was at {@code maxConnections}. */
    public long rejectedConnections(String listenerName) {
        return listeners.get(listenerName).init().rejectedConnections();
    }

    /**
     * Graceful drain: stop accepting (the listening sockets close, so new connections are refused),
     * tell every connection (GOAWAY on HTTP/2; close idle HTTP/1.1 connections, {@code Connection:
     * close} on the rest), then wait until no request is in flight or {@code deadline} passes.
     * Returns whether everything finished in time. Blocks the caller (never an event loop).
     */
    public synchronized boolean drain(java.time.Duration deadline) throws InterruptedException {
        for (Listener l : listeners.values()) {
            l.channel().close().awaitUninterruptibly();
        }
        for (Listener l : listeners.values()) {
            l.init().drain();
        }
        // The in-flight count is shared by every generation's limiter, so it covers requests admitted before a reload.
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() - end < 0) {
            if (current.ingress().shedding().inFlight() == 0) {
                return true;
            }
            Thread.sleep(20); // the draining thread is the main thread, not an event loop
        }
        return current.ingress().shedding().inFlight() == 0;
    }

    /** Closes the listeners, then every connection, and stops the event loops. */
    @Override
    public synchronized void close() {
        for (Listener l : listeners.values()) {
            l.channel().close().awaitUninterruptibly();
        }
        listeners = Map.of();
        runs.values().forEach(ClusterRun::stop);
        synchronized (accessLogLock) {
            if (accessLog != null) {
                accessLog.close();
            }
        }
        refresher.shutdownNow();
        RedisStore store = current.ingress().store();
        if (store != null) {
            store.close();
        }
        Tracing tracing = current.ingress().tracing();
        if (tracing != null) {
            tracing.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}

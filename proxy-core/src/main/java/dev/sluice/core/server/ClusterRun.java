package dev.sluice.core.server;

import dev.sluice.config.model.BackendConfig;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.core.health.HealthMonitor;
import dev.sluice.core.health.HttpHealthChecker;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.tls.UpstreamTls;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.DnsRefresher;
import dev.sluice.core.upstream.Node;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * A running cluster of a {@link SluiceServer} and what keeps it going: the factory for its nodes,
 * its health checks, its scheduled refreshes (on the server's refresh thread).
 */
final class ClusterRun {

    private static final System.Logger LOG = System.getLogger(ClusterRun.class.getName());

    final Cluster cluster;
    final BiFunction<BackendConfig, InetSocketAddress, Node> factory;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private @Nullable HealthMonitor monitor;
    private @Nullable ScheduledFuture<?> dns;
    private final @Nullable UpstreamTls tls;
    private final ScheduledExecutorService refresher;
    private final Ticker ticker;
    private final Transport transport;
    private final EventLoop[] loopByIndex;
    private final DnsRefresher.Resolver resolver;

    ClusterRun(Cluster cluster, BiFunction<BackendConfig, InetSocketAddress, Node> factory, @Nullable UpstreamTls tls,
            ScheduledExecutorService refresher, Ticker ticker, Transport transport, EventLoop[] loopByIndex,
            DnsRefresher.Resolver resolver) {
        this.cluster = cluster;
        this.factory = factory;
        this.tls = tls;
        this.refresher = refresher;
        this.ticker = ticker;
        this.transport = transport;
        this.loopByIndex = loopByIndex;
        this.resolver = resolver;
    }

    /**
     * Weights are recomputed on the refresh thread at {@code adaptiveWeights.interval}, host
     * names re-resolved at {@code dnsRefresh}; with a healthCheck each node is probed from the
     * event loop its address selects.
     */
    void start() {
        ClusterConfig c = cluster.config();
        cluster.refreshOn(refresher, ticker);
        long period = c.adaptiveWeights().interval().toNanos();
        tasks.add(refresher.scheduleAtFixedRate(() -> {
            try {
                cluster.refresh(ticker.nanoTime());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "refreshing cluster " + cluster.name() + " failed", e);
            }
        }, period, period, TimeUnit.NANOSECONDS));
        followNames();
        if (c.healthCheck() != null) {
            monitor = new HealthMonitor(cluster, ticker,
                    loop -> new HttpHealthChecker(c.healthCheck(), loop, transport.clientChannels(), tls),
                    node -> loopByIndex[Math.floorMod(node.socketAddress().hashCode(), loopByIndex.length)]);
        }
    }

    /** Re-resolves host names at {@code dnsRefresh} once the cluster has any (at start, or after a reload added one). */
    void followNames() {
        ClusterConfig c = cluster.config();
        if (dns == null && DnsRefresher.hasNames(c.backends())) {
            long period = c.dnsRefresh().toNanos();
            dns = refresher.scheduleWithFixedDelay(new DnsRefresher(cluster, resolver, factory, ticker), period, period,
                    TimeUnit.NANOSECONDS);
            tasks.add(dns);
        }
    }

    void stop() {
        tasks.forEach(t -> t.cancel(false));
        if (monitor != null) {
            monitor.close();
        }
    }
}

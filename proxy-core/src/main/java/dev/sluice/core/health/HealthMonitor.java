package dev.sluice.core.health;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.HealthCheckConfig;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import io.netty.channel.EventLoop;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Active health checks of one cluster: every node is probed every {@code interval}, each delay
 * drawn within ±10% so the checks of many nodes (and many proxies) do not align. Results pass
 * through a {@link HealthTracker} per node; a transition is published on the node, logged as one
 * structured line, and makes the cluster rebuild its picker. A node that turns healthy enters slow
 * start. Each node's probes run on one event loop, which also owns its tracker.
 */
public final class HealthMonitor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HealthMonitor.class.getName());

    private final Cluster cluster;
    private final HealthCheckConfig config;
    private final Ticker ticker;
    private volatile boolean closed;

    /**
     * @param checkerFor the checker for a node's event loop
     * @param loopFor the event loop that probes a node
     */
    public HealthMonitor(Cluster cluster, Ticker ticker, Function<EventLoop, HealthChecker> checkerFor,
            Function<Node, EventLoop> loopFor) {
        this.cluster = requireNonNull(cluster, "cluster");
        this.config = requireNonNull(cluster.config().healthCheck(), "healthCheck");
        this.ticker = requireNonNull(ticker, "ticker");
        for (Node n : cluster.nodes()) {
            EventLoop loop = loopFor.apply(n);
            new NodeProbes(n, loop, checkerFor.apply(loop)).schedule();
        }
        cluster.onNodeAdded(n -> {
            EventLoop loop = loopFor.apply(n);
            new NodeProbes(n, loop, checkerFor.apply(loop)).schedule();
        });
    }

    long nextDelayNanos() {
        long interval = config.interval().toNanos();
        long jitter = interval / 10;
        return interval - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1);
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The probe loop of one node; confined to its event loop. */
    private final class NodeProbes implements Runnable {
        private final Node node;
        private final EventLoop loop;
        private final HealthChecker checker;
        private final HealthTracker tracker;

        NodeProbes(Node node, EventLoop loop, HealthChecker checker) {
            this.node = node;
            this.loop = loop;
            this.checker = checker;
            this.tracker = new HealthTracker(config.healthyThreshold(), config.unhealthyThreshold(), node.healthy());
        }

        void schedule() {
            if (!closed && !loop.isShuttingDown() && cluster.nodes().contains(node)) { // a removed node is no longer probed
                loop.schedule(this, nextDelayNanos(), TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void run() {
            if (closed) {
                return;
            }
            checker.probe(node).whenComplete((ok, e) -> loop.execute(() -> {
                boolean success = e == null && Boolean.TRUE.equals(ok);
                if (tracker.onProbe(success) == HealthTracker.Result.CHANGED) {
                    boolean healthy = tracker.healthy();
                    node.healthy(healthy);
                    if (healthy) {
                        node.startSlowStart(ticker.nanoTime());
                    }
                    LOG.log(System.Logger.Level.INFO, "health-transition cluster={0} node={1} state={2} after={3} probes",
                            cluster.name(), node.address(), healthy ? "healthy" : "unhealthy",
                            healthy ? config.healthyThreshold() : config.unhealthyThreshold());
                    cluster.requestRefresh();
                }
                schedule();
            }));
        }
    }
}

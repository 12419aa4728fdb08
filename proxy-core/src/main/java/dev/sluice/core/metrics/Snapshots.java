package dev.sluice.core.metrics;

import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only views of clusters and nodes for the admin port: plain records built on demand from the
 * live atomics and volatile fields. The admin port never touches core state any other way.
 */
public final class Snapshots {

    /** One node, as {@code /stats} shows it; the effective weight is explained as its factors. */
    public record NodeSnapshot(String address, String ip, int weight, double slowStartFactor, double adaptiveFactor,
            double hotFactor, double effectiveWeight, boolean healthy, boolean ejected, String breaker, boolean hot, int inFlight,
            long requests, long errors, double qps1s, double qps10s, double qps60s, double errorRate60s,
            double p50Ms, double p95Ms, double p99Ms) {
    }

    /** One cluster with its totals. */
    public record ClusterSnapshot(String name, String balancer, int eligibleNodes, boolean panic, int inFlight,
            double meanQps10s, long retries, long connectTimeouts, long responseTimeouts, long requestTimeouts,
            List<NodeSnapshot> nodes) {
    }

    private Snapshots() {
    }

    public static ClusterSnapshot of(Cluster c, long nowNanos) {
        List<NodeSnapshot> nodes = new ArrayList<>();
        for (Node n : c.nodes()) {
            NodeStats s = n.stats();
            nodes.add(new NodeSnapshot(n.address().toString(), n.socketAddress().getAddress().getHostAddress(), n.weight(),
                    n.slowStartFactor(), n.adaptiveFactor(), n.hotFactor(), n.effectiveWeight(), n.healthy(), n.ejected(),
                    n.breaker().name().toLowerCase(java.util.Locale.ROOT), n.hot(), n.inFlight(), s.requests(), s.errors(),
                    s.qps(nowNanos, 1), s.qps(nowNanos, 10), s.qps(nowNanos, 60), s.errorRate(nowNanos, 60),
                    s.latencyPercentileMs(0.50), s.latencyPercentileMs(0.95), s.latencyPercentileMs(0.99)));
        }
        return new ClusterSnapshot(c.name(), c.config().balancer().yamlName(), c.eligibleCount(), c.panic(), c.inFlight(),
                c.meanQps(), c.retriesIssued(), c.timeouts(Cluster.Timeout.CONNECT), c.timeouts(Cluster.Timeout.RESPONSE),
                c.timeouts(Cluster.Timeout.REQUEST), nodes);
    }
}

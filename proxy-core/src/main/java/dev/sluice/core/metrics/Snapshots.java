package dev.sluice.core.metrics;

import dev.sluice.core.balance.HotKeys;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.FleetLoad;
import dev.sluice.core.upstream.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Read-only views of clusters and nodes for the admin port: plain records built on demand from the
 * live atomics and volatile fields. The admin port never touches core state any other way.
 */
public final class Snapshots {

    /** One node, as {@code /stats} shows it; the effective weight is explained as its factors. */
    public record NodeSnapshot(String address, String ip, int weight, double slowStartFactor, double adaptiveFactor,
            double hotFactor, double effectiveWeight, boolean healthy, boolean ejected, String breaker, boolean hot, int inFlight,
            long requests, long errors, double qps1s, double qps10s, double qps60s, double errorRate60s,
            double p50Ms, double p95Ms, double p99Ms, @Nullable Double fleetQps10s) {
    }

    /**
     * One cluster with its totals. With a shared store, {@code fleetReplicas} lists the replicas whose
     * load arrived last (this one included) and each node's {@code fleetQps10s} is their sum: hot spots
     * are judged on it. Without one (or while the store is down) both are empty and null.
     * {@code picks} counts picks by rule since start; {@code splitKeys} lists the hot keys spread over
     * several nodes now ({@code hash.hotKeys}), hottest first.
     */
    public record ClusterSnapshot(String name, String balancer, int eligibleNodes, boolean panic, int inFlight,
            double meanQps10s, long retries, long connectTimeouts, long responseTimeouts, long requestTimeouts,
            List<NodeSnapshot> nodes, @Nullable Double fleetMeanQps10s, List<String> fleetReplicas, Map<String, Long> picks,
            List<HotKeys.SplitKey> splitKeys) {
    }

    private Snapshots() {
    }

    public static ClusterSnapshot of(Cluster c, long nowNanos) {
        List<NodeSnapshot> nodes = new ArrayList<>();
        FleetLoad fleet = c.fleetLoad(nowNanos);
        double fleetSum = 0;
        for (Node n : c.nodes()) {
            Double fleetQps = fleet == null ? null : fleet.qps10s().get(FleetLoad.key(n));
            fleetSum += fleetQps == null ? 0 : fleetQps;
            NodeStats s = n.stats();
            nodes.add(new NodeSnapshot(n.address().toString(), n.socketAddress().getAddress().getHostAddress(), n.weight(),
                    n.slowStartFactor(), n.adaptiveFactor(), n.hotFactor(), n.effectiveWeight(), n.healthy(), n.ejected(),
                    n.breaker().name().toLowerCase(java.util.Locale.ROOT), n.hot(), n.inFlight(), s.requests(), s.errors(),
                    s.qps(nowNanos, 1), s.qps(nowNanos, 10), s.qps(nowNanos, 60), s.errorRate(nowNanos, 60),
                    s.latencyPercentileMs(0.50), s.latencyPercentileMs(0.95), s.latencyPercentileMs(0.99), fleetQps));
        }
        return new ClusterSnapshot(c.name(), c.config().balancer().yamlName(), c.eligibleCount(), c.panic(), c.inFlight(),
                c.meanQps(), c.retriesIssued(), c.timeouts(Cluster.Timeout.CONNECT), c.timeouts(Cluster.Timeout.RESPONSE),
                c.timeouts(Cluster.Timeout.REQUEST), nodes, fleet == null || nodes.isEmpty() ? null : fleetSum / nodes.size(),
                fleet == null ? List.of() : fleet.replicas(), c.picksByRule(),
                c.hotKeys() == null ? List.of() : c.hotKeys().report());
    }
}

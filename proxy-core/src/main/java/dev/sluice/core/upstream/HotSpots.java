package dev.sluice.core.upstream;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One cluster's hot-spot detection: flags nodes whose 10 s QPS per unit of configured weight exceeds
 * {@code admin.hotSpotFactor} x the cluster's mean (and a floor). A weight-2 node is expected to
 * carry twice the traffic and is not hot for it; with equal weights this is exactly "QPS above
 * factor x the cluster mean". A hot node cools only below halfway between the mean and that
 * threshold, so the flag does not flap.
 *
 * <p>With a fresh {@link FleetLoad} (replicas sharing a store), the QPS judged is the fleet's: every
 * replica's 10 s QPS for the node, summed. A replica that sees an even spread of its own traffic
 * still flags the node the fleet piles onto. A fleet view older than {@link #FLEET_FRESH_NANOS}
 * (the store is down) is ignored: the judgement falls back to this replica's own traffic.
 * Refresh-confined, except the volatile fields the admin port and the fleet publisher touch.
 */
final class HotSpots {

    private static final System.Logger LOG = System.getLogger(HotSpots.class.getName());
    /** A fleet view is used for this long after it arrived (three missed publications). */
    static final long FLEET_FRESH_NANOS = 3_000_000_000L;

    private final String cluster;
    private volatile double factor = 1.3;
    private volatile double meanQps;
    private volatile @Nullable FleetLoad fleet;

    HotSpots(String cluster) {
        this.cluster = cluster;
    }

    void factor(double f) {
        this.factor = f;
    }

    double meanQps() {
        return meanQps;
    }

    void fleet(@Nullable FleetLoad load) {
        this.fleet = load;
    }

    /** The fleet view, when one arrived within {@link #FLEET_FRESH_NANOS} of {@code nowNanos}. */
    @Nullable FleetLoad fleet(long nowNanos) {
        FleetLoad f = fleet;
        return f != null && nowNanos - f.atNanos() <= FLEET_FRESH_NANOS ? f : null;
    }

    void judge(List<Node> nodes, long nowNanos) {
        if (nodes.isEmpty()) {
            meanQps = 0;
            return;
        }
        FleetLoad f = fleet(nowNanos);
        double[] qps = new double[nodes.size()];
        double qpsSum = 0;
        double localSum = 0;
        double weights = 0;
        for (int i = 0; i < qps.length; i++) {
            Node n = nodes.get(i);
            double local = n.stats().qps(nowNanos, 10);
            Double shared = f == null ? null : f.qps10s().get(FleetLoad.key(n));
            qps[i] = shared == null ? local : shared;
            qpsSum += qps[i];
            localSum += local;
            weights += n.weight();
        }
        double mean = qpsSum / weights; // per unit of weight
        meanQps = localSum / nodes.size();
        double hotAt = factor;
        double coolAt = (1 + hotAt) / 2;
        for (int i = 0; i < qps.length; i++) {
            Node n = nodes.get(i);
            boolean hot = qps[i] >= Cluster.HOT_FLOOR_QPS && qps[i] / n.weight() > (n.hot() ? coolAt : hotAt) * mean;
            if (hot != n.hot()) {
                n.hot(hot);
                LOG.log(System.Logger.Level.INFO, "hot-spot cluster={0} node={1} hot={2} qps10={3} expected={4} view={5}",
                        cluster, n.address(), hot, String.format(Locale.ROOT, "%.1f", qps[i]),
                        String.format(Locale.ROOT, "%.1f", mean * n.weight()), f == null ? "local" : "fleet");
            }
        }
    }
}

package dev.sluice.core.upstream;

import dev.sluice.config.model.OutlierDetectionConfig;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Passive outlier ejection, as the cluster's refresh applies it: nodes whose ejection is over come
 * back (and slow-start); nodes whose failure streak reached {@code consecutiveFailures} are ejected
 * for {@code baseEjection x (ejections so far + 1)}, at most {@code maxEjection}, while no more than
 * {@code maxEjectedPercent} of the cluster is out (one node always may be). Refresh-confined.
 */
final class OutlierEjections {

    private static final System.Logger LOG = System.getLogger(Cluster.class.getName());

    private OutlierEjections() {
    }

    static void update(String cluster, List<Node> nodes, @Nullable OutlierDetectionConfig od, long nowNanos) {
        if (od == null) {
            return;
        }
        int ejectedNow = 0;
        for (Node n : nodes) {
            if (n.ejected() && nowNanos - n.ejectedUntil() >= 0) {
                n.unEject();
                n.resetFailureStreak();
                n.startSlowStart(nowNanos);
                LOG.log(System.Logger.Level.INFO, "outlier-return cluster={0} node={1}", cluster, n.address());
            }
            ejectedNow += n.ejected() ? 1 : 0;
        }
        for (Node n : nodes) {
            if (n.ejected() || n.failureStreak() < od.consecutiveFailures()) {
                continue;
            }
            boolean allowed = od.maxEjectedPercent() > 0
                    && (ejectedNow == 0 || (ejectedNow + 1) * 100 <= od.maxEjectedPercent() * nodes.size());
            if (!allowed) {
                continue;
            }
            long base = od.baseEjection().toNanos();
            long duration = Math.min(od.maxEjection().toNanos(), base * (n.ejections() + 1L));
            n.eject(nowNanos + duration);
            n.resetFailureStreak();
            ejectedNow++;
            LOG.log(System.Logger.Level.INFO, "outlier-ejection cluster={0} node={1} ejections={2} forMs={3}",
                    cluster, n.address(), n.ejections(), duration / 1_000_000);
        }
    }
}

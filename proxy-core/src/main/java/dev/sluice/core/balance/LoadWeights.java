package dev.sluice.core.balance;

import dev.sluice.config.model.LoadReportsConfig;
import dev.sluice.core.upstream.LoadReport;
import dev.sluice.core.upstream.Node;
import java.util.List;

/**
 * Weight factors from the backends' own load reports, as gRPC's A58 weighted round robin computes
 * them: a node's weight is {@code qps / (utilization + eps / qps x errorUtilizationPenalty)}, with
 * the qps and utilisation the backend itself reported, so every replica in front of it sees the
 * same figures. A report counts once the node has reported for {@code blackoutPeriod} and until it
 * is older than {@code expiration}; a node without a usable weight gets the mean of those that
 * have one. The factor is the node's weight over that mean, clamped to [1/20, 20].
 */
public final class LoadWeights {

    static final double MAX_FACTOR = 20;

    private LoadWeights() {
    }

    /** One factor per node, 1 for every node when none has a usable report. */
    public static double[] factors(List<Node> nodes, LoadReportsConfig config, long nowNanos) {
        double[] w = new double[nodes.size()];
        double sum = 0;
        int usable = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = weight(nodes.get(i).loadReport(), config, nowNanos);
            if (w[i] > 0) {
                sum += w[i];
                usable++;
            }
        }
        double mean = usable == 0 ? 1 : sum / usable;
        for (int i = 0; i < w.length; i++) {
            w[i] = w[i] > 0 ? Math.max(1 / MAX_FACTOR, Math.min(MAX_FACTOR, w[i] / mean)) : 1;
        }
        return w;
    }

    /** A58's weight of one report, or 0 when it is not usable now. */
    static double weight(LoadReport r, LoadReportsConfig config, long nowNanos) {
        if (!r.fresh(nowNanos, config.expiration().toNanos()) || nowNanos - r.firstNanos() < config.blackoutPeriod().toNanos()) {
            return 0;
        }
        double qps = r.rps();
        double utilization = r.utilization();
        if (qps > 0) {
            utilization += r.eps() / qps * config.errorUtilizationPenalty();
        }
        return qps > 0 && utilization > 0 ? qps / utilization : 0;
    }
}

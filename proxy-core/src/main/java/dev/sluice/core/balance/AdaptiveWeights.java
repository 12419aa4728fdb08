package dev.sluice.core.balance;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.AdaptiveWeightsConfig;
import dev.sluice.core.health.Outcomes;
import dev.sluice.core.upstream.Node;
import java.util.Arrays;
import java.util.List;

/**
 * The latency- and error-aware factor of each node of one cluster (README: "Effective weights").
 *
 * <p>Each update drains the outcomes every node recorded since the last one and folds them into
 * exponentially weighted averages with half-life {@code halfLife}: mean latency to the response
 * head, and error rate (5xx, connect errors, resets, timeouts). A node that recorded nothing
 * drifts toward the peers' medians at the same rate, so a node that lost its weight is believed to
 * have recovered unless fresh samples say otherwise. Then, against the medians of all nodes:
 * <pre>
 *   latencyFactor = min(1, latencyTolerance x max(medianLatency, latencyFloor) / latency)
 *   errorFactor   = clamp(1 - 2 x (errorRate - medianErrorRate - errorTolerance), 0, 1)
 *   factor        = max(minFactor, latencyFactor x errorFactor)
 * </pre>
 * Confined to the thread that calls {@link #update}: the cluster's refresh, never a request.
 */
public final class AdaptiveWeights {

    private final AdaptiveWeightsConfig config;
    private long lastNanos;
    private boolean started;

    public AdaptiveWeights(AdaptiveWeightsConfig config) {
        this.config = requireNonNull(config, "config");
    }

    /**
     * Updates every node's averages from its outcomes since the last update ({@code outcomes[i]} for
     * {@code nodes.get(i)}) and publishes its factor ({@link Node#adaptiveFactor()}).
     */
    public void update(List<Node> nodes, Outcomes[] outcomes, long nowNanos) {
        if (!config.enabled() || nodes.isEmpty()) {
            for (Node n : nodes) {
                n.adaptiveFactor(1.0);
            }
            return;
        }
        double alpha = started ? 1 - Math.pow(0.5, (nowNanos - lastNanos) / (double) config.halfLife().toNanos()) : 1.0;
        alpha = Math.min(1.0, Math.max(0.0, alpha));
        started = true;
        lastNanos = nowNanos;
        double medianLatency = median(nodes, true);
        double medianErrors = median(nodes, false);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Outcomes o = outcomes[i];
            long count = o.responses() + o.failures();
            if (count > 0) {
                double latency = o.latencyNanos() / (double) count;
                double errors = o.failures() / (double) count;
                n.latencyEwma(Double.isNaN(n.latencyEwma()) ? latency : n.latencyEwma() + alpha * (latency - n.latencyEwma()));
                n.errorEwma(Double.isNaN(n.errorEwma()) ? errors : n.errorEwma() + alpha * (errors - n.errorEwma()));
            } else if (!Double.isNaN(n.latencyEwma()) && !Double.isNaN(medianLatency)) {
                n.latencyEwma(n.latencyEwma() + alpha * (medianLatency - n.latencyEwma()));
                n.errorEwma(n.errorEwma() + alpha * (medianErrors - n.errorEwma()));
            }
        }
        medianLatency = median(nodes, true);
        medianErrors = median(nodes, false);
        for (Node n : nodes) {
            n.adaptiveFactor(factor(n.latencyEwma(), n.errorEwma(), medianLatency, medianErrors));
        }
    }

    double factor(double latency, double errors, double medianLatency, double medianErrors) {
        if (Double.isNaN(latency) || Double.isNaN(medianLatency) || medianLatency <= 0) {
            return 1.0;
        }
        double reference = Math.max(medianLatency, config.latencyFloor().toNanos());
        double latencyFactor = latency <= 0 ? 1.0 : Math.min(1.0, config.latencyTolerance() * reference / latency);
        double excess = errors - medianErrors - config.errorTolerance();
        double errorFactor = excess <= 0 ? 1.0 : Math.max(0.0, 1 - 2 * excess);
        return Math.max(config.minFactor(), latencyFactor * errorFactor);
    }

    /** Median latency or error average over the nodes that have one; NaN when none has. */
    private static double median(List<Node> nodes, boolean latency) {
        double[] v = new double[nodes.size()];
        int k = 0;
        for (Node n : nodes) {
            double x = latency ? n.latencyEwma() : n.errorEwma();
            if (!Double.isNaN(x)) {
                v[k++] = x;
            }
        }
        if (k == 0) {
            return Double.NaN;
        }
        Arrays.sort(v, 0, k);
        return k % 2 == 1 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
    }
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Weights from the backends' own load reports (the {@code endpoint-load-metrics} response header in
 * ORCA's text form), as gRPC's A58 weighted round robin computes them: {@code qps / (utilization +
 * eps / qps x errorUtilizationPenalty)}, relative to the mean of the nodes that report.
 */
public record LoadReportsConfig(
        @Key(doc = "how much each error per request counts as utilisation", value = "1.0", min = 0) double errorUtilizationPenalty,
        @Key(doc = "a node's reports count only once it has reported for this long (damps a new node's first figures)",
                value = "10s") Duration blackoutPeriod,
        @Key(doc = "a node whose last report is older than this gets the mean weight again", value = "3m") Duration expiration) {

    public LoadReportsConfig {
        requireNonNull(blackoutPeriod, "blackoutPeriod");
        requireNonNull(expiration, "expiration");
    }
}

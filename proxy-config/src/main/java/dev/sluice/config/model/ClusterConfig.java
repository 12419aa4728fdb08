package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

public record ClusterConfig(
        @Key(doc = "unique cluster name", required = true) String name,
        @Key(doc = "drr, least-connections, consistent-hash, peak-ewma or prequal", value = "drr") BalancerKind balancer,
        @Key(doc = "consistent-hash settings") HashConfig hash,
        @Key(doc = "least-connections settings") LeastConnectionsConfig leastConnections,
        @Key(doc = "peak-ewma settings") PeakEwmaConfig peakEwma,
        @Key(doc = "prequal settings") PrequalConfig prequal,
        @Key(doc = "weigh drr nodes by the load the backends report (endpoint-load-metrics, ORCA text form)",
                absent = "off: the header is still stripped from responses") LoadReportsConfig loadReports,
        @Key(doc = "latency- and error-aware weights for drr and least-connections") AdaptiveWeightsConfig adaptiveWeights,
        @Key(doc = "http1, or h2: h2c prior knowledge, or ALPN h2 with tls; requests multiplexed as streams", value = "http1")
        UpstreamProtocol protocol,
        @Key(doc = "TLS to the backends, verified; a client certificate for mTLS", absent = "cleartext") UpstreamTlsConfig tls,
        @Key(doc = "a gRPC answer whose grpc-status means a server failure (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, "
                + "UNAVAILABLE, DATA_LOSS) counts as the node's error, as a 5xx does", value = "false") boolean grpcStatusAsError,
        @Key(doc = "weight ramp for new and recovered nodes") SlowStartConfig slowStart,
        @Key(doc = "active HTTP health checks", absent = "off: every node counts as healthy") HealthCheckConfig healthCheck,
        @Key(doc = "passive ejection on consecutive failures", absent = "off") OutlierDetectionConfig outlierDetection,
        @Key(doc = "per-node circuit breaker", absent = "off") CircuitBreakerConfig circuitBreaker,
        @Key(doc = "budgeted retries of idempotent requests", absent = "off") RetryConfig retries,
        @Key(doc = "upstream timeouts") TimeoutsConfig timeouts,
        @Key(doc = "upstream connection pool") PoolConfig pool,
        @Key(doc = "the nodes; an empty cluster answers 503") List<BackendConfig> backends,
        @Key(doc = "when fewer than this percent of nodes are eligible, spread over all nodes (Envoy's panic mode); 0 = off",
                value = "0", min = 0, max = 100) int panicThresholdPercent,
        @Key(doc = "backends given as host names are re-resolved this often; every address is a node", value = "30s")
        Duration dnsRefresh,
        @Key(doc = "answers carry X-Sluice-Pick: node=..;rule=..;weight=.. (why the balancer chose that node)", value = "false")
        boolean debugHeaders) {

    public ClusterConfig {
        requireNonNull(name, "name");
        requireNonNull(balancer, "balancer");
        requireNonNull(hash, "hash");
        requireNonNull(leastConnections, "leastConnections");
        requireNonNull(peakEwma, "peakEwma");
        requireNonNull(prequal, "prequal");
        requireNonNull(adaptiveWeights, "adaptiveWeights");
        requireNonNull(protocol, "protocol");
        requireNonNull(slowStart, "slowStart");
        requireNonNull(timeouts, "timeouts");
        requireNonNull(pool, "pool");
        backends = List.copyOf(backends);
        requireNonNull(dnsRefresh, "dnsRefresh");
    }

    /** Whether {@code other} differs from this in nothing but its backends (a reload then keeps the running cluster). */
    public boolean sameExceptBackends(ClusterConfig other) {
        return withoutBackends().equals(other.withoutBackends());
    }

    private ClusterConfig withoutBackends() {
        return new ClusterConfig(name, balancer, hash, leastConnections, peakEwma, prequal, loadReports, adaptiveWeights, protocol, tls, grpcStatusAsError, slowStart,
                healthCheck,
                outlierDetection, circuitBreaker, retries, timeouts, pool, List.of(), panicThresholdPercent, dnsRefresh, debugHeaders);
    }
}

package dev.sluice.admin;

import dev.sluice.core.metrics.Refusals;
import dev.sluice.core.server.Ingress;
import dev.sluice.core.server.SluiceServer;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * {@code /metrics}: Prometheus text from Micrometer. Every meter is registered once, at start, and
 * reads the core's own atomics when scraped (function counters and gauges), so the request path
 * never touches Micrometer. Labels are cluster and node only (bounded cardinality: no request id,
 * key or path label). Nodes that DNS adds later are not registered (noted in the README).
 */
final class Metrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    Metrics(SluiceServer proxy) {
        Ingress ingress = proxy.ingress();
        Gauge.builder("sluice_shedding_in_flight", ingress.shedding(), s -> s.inFlight())
                .description("requests admitted and not finished").register(registry);
        Gauge.builder("sluice_shedding_limit", ingress.shedding(), s -> s.limit())
                .description("the current in-flight limit").register(registry);
        Refusals refusals = ingress.refusals();
        for (String reason : Ingress.REFUSALS) {
            FunctionCounter.builder("sluice_refused", refusals, r -> r.get(reason)).tags("reason", reason)
                    .description("requests refused at the door").register(registry);
        }
        for (Cluster c : proxy.clusters().values()) {
            Tags ct = Tags.of("cluster", c.name());
            Gauge.builder("sluice_cluster_eligible_nodes", c, Cluster::eligibleCount).tags(ct).register(registry);
            FunctionCounter.builder("sluice_cluster_retries", c, Cluster::retriesIssued).tags(ct).register(registry);
            for (Cluster.Timeout t : Cluster.Timeout.values()) {
                FunctionCounter.builder("sluice_cluster_timeouts", c, cl -> cl.timeouts(t))
                        .tags(ct.and("kind", t.name().toLowerCase(java.util.Locale.ROOT))).register(registry);
            }
            for (Node n : c.nodes()) {
                Tags nt = ct.and("node", n.address() + "/" + n.socketAddress().getAddress().getHostAddress());
                FunctionCounter.builder("sluice_node_requests", n, x -> x.stats().requests()).tags(nt)
                        .description("exchanges completed (responses and failures)").register(registry);
                FunctionCounter.builder("sluice_node_errors", n, x -> x.stats().errors()).tags(nt)
                        .description("5xx answers and failures").register(registry);
                Gauge.builder("sluice_node_in_flight", n, Node::inFlight).tags(nt).register(registry);
                Gauge.builder("sluice_node_healthy", n, x -> x.healthy() && !x.ejected() ? 1 : 0).tags(nt).register(registry);
                Gauge.builder("sluice_node_circuit_open", n, x -> x.breaker() == Node.Breaker.CLOSED ? 0 : 1).tags(nt).register(registry);
                Gauge.builder("sluice_node_effective_weight", n, Node::effectiveWeight).tags(nt).register(registry);
                Gauge.builder("sluice_node_hot", n, x -> x.hot() ? 1 : 0).tags(nt).register(registry);
                Gauge.builder("sluice_node_latency_p99_ms", n, x -> x.stats().latencyPercentileMs(0.99)).tags(nt).register(registry);
            }
        }
    }

    String scrape() {
        return registry.scrape();
    }
}

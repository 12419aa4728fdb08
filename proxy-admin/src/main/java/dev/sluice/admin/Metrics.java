package dev.sluice.admin;

import dev.sluice.core.fleet.RedisStore;
import dev.sluice.core.health.Breaker;
import dev.sluice.core.metrics.ClientErrors;
import dev.sluice.core.server.Ingress;
import dev.sluice.core.server.SluiceServer;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.FleetLoad;
import dev.sluice.core.upstream.Node;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /metrics}: Prometheus text from Micrometer. Meters read the core's own atomics when
 * scraped (function counters and gauges), so the request path never touches Micrometer. Before
 * each scrape the cluster and node meters are matched to what runs now: a node that DNS or a
 * reload added gets its meters, one that left loses them. Labels are cluster and node only
 * (bounded cardinality: no request id, key or path label). Confined to the admin thread.
 */
final class Metrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SluiceServer proxy;
    /** The meters of each cluster and node registered, by identity. */
    private final Map<Object, List<Meter>> registered = new IdentityHashMap<>();

    Metrics(SluiceServer proxy) {
        this.proxy = proxy;
        Gauge.builder("sluice_shedding_in_flight", proxy, p -> p.ingress().shedding().inFlight())
                .description("requests admitted and not finished").register(registry);
        Gauge.builder("sluice_shedding_limit", proxy, p -> p.ingress().shedding().limit())
                .description("the current in-flight limit").register(registry);
        for (String reason : Ingress.REFUSALS) {
            FunctionCounter.builder("sluice_refused", proxy, p -> p.ingress().refusals().get(reason)).tags("reason", reason)
                    .description("requests refused at the door").register(registry);
        }
        for (String kind : ClientErrors.KINDS) {
            FunctionCounter.builder("sluice_client_protocol_errors", proxy, p -> p.ingress().clientErrors().get(kind))
                    .tags("kind", kind).description("HTTP/2 protocol mistakes of clients, by the error code answered")
                    .register(registry);
        }
        FunctionCounter.builder("sluice_client_protocol_error_lines_suppressed", proxy, p -> p.ingress().clientErrors().suppressed())
                .description("log lines about client mistakes not written: more than "
                        + ClientErrors.LINES_PER_SECOND + " a second").register(registry);
    }

    String scrape() {
        follow();
        return registry.scrape();
    }

    /** Drops the meters of clusters and nodes that left, then registers those that joined. */
    private void follow() {
        Map<Object, Tags> live = new IdentityHashMap<>();
        for (Cluster c : proxy.clusters().values()) {
            Tags ct = Tags.of("cluster", c.name());
            live.put(c, ct);
            for (Node n : c.nodes()) {
                live.put(n, ct.and("node", n.address() + "/" + n.socketAddress().getAddress().getHostAddress()));
            }
        }
        RedisStore store = proxy.ingress().store();
        if (store != null) {
            live.put(store, Tags.empty());
        }
        registered.entrySet().removeIf(e -> {
            boolean gone = !live.containsKey(e.getKey());
            if (gone) {
                e.getValue().forEach(registry::remove);
            }
            return gone;
        });
        live.forEach((o, tags) -> registered.computeIfAbsent(o,
                k -> k instanceof Cluster c ? cluster(c, tags) : k instanceof RedisStore s ? store(s) : node((Node) k, tags)));
    }

    private List<Meter> cluster(Cluster c, Tags ct) {
        List<Meter> m = new ArrayList<>();
        m.add(Gauge.builder("sluice_cluster_eligible_nodes", c, Cluster::eligibleCount).tags(ct).register(registry));
        m.add(FunctionCounter.builder("sluice_cluster_retries", c, Cluster::retriesIssued).tags(ct).register(registry));
        for (Cluster.Timeout t : Cluster.Timeout.values()) {
            m.add(FunctionCounter.builder("sluice_cluster_timeouts", c, cl -> cl.timeouts(t))
                    .tags(ct.and("kind", t.name().toLowerCase(java.util.Locale.ROOT))).register(registry));
        }
        return m;
    }

    /** The shared rate-limit store ({@code rateLimits.store: redis}), while one is configured. */
    private List<Meter> store(RedisStore s) {
        return List.of(
                Gauge.builder("sluice_ratelimit_store_up", s, x -> x.up() ? 1 : 0)
                        .description("1 while limits are shared through Redis, 0 while they fall back (rateLimits.redis.onFailure)")
                        .register(registry),
                Gauge.builder("sluice_ratelimit_store_replicas", s, RedisStore::replicaCount)
                        .description("replicas that announced themselves to the store within 3 s").register(registry),
                FunctionCounter.builder("sluice_ratelimit_store_outages", s, RedisStore::outages)
                        .description("times the store became unreachable and the limits fell back").register(registry),
                FunctionCounter.builder("sluice_ratelimit_store_errors", s, RedisStore::errors)
                        .description("store commands that failed or timed out").register(registry),
                FunctionCounter.builder("sluice_ratelimit_store_leases", s, RedisStore::leasesRequested)
                        .description("token leases asked of the store").register(registry));
    }

    private List<Meter> node(Node n, Tags nt) {
        return List.of(
                FunctionCounter.builder("sluice_node_requests", n, x -> x.stats().requests()).tags(nt)
                        .description("exchanges completed (responses and failures)").register(registry),
                FunctionCounter.builder("sluice_node_errors", n, x -> x.stats().errors()).tags(nt)
                        .description("5xx answers and failures").register(registry),
                Gauge.builder("sluice_node_in_flight", n, Node::inFlight).tags(nt).register(registry),
                Gauge.builder("sluice_node_healthy", n, x -> x.healthy() && !x.ejected() ? 1 : 0).tags(nt).register(registry),
                Gauge.builder("sluice_node_circuit_open", n, x -> x.breaker() == Breaker.CLOSED ? 0 : 1).tags(nt).register(registry),
                Gauge.builder("sluice_node_effective_weight", n, Node::effectiveWeight).tags(nt).register(registry),
                Gauge.builder("sluice_node_hot", n, x -> x.hot() ? 1 : 0).tags(nt).register(registry),
                Gauge.builder("sluice_node_fleet_qps", n, this::fleetQps).tags(nt)
                        .description("the node's 10 s QPS summed over the replicas sharing a store (NaN without one)").register(registry),
                Gauge.builder("sluice_node_latency_p99_ms", n, x -> x.stats().latencyPercentileMs(0.99)).tags(nt).register(registry));
    }

    private double fleetQps(Node n) {
        Cluster c = proxy.clusters().get(n.cluster());
        FleetLoad f = c == null ? null : c.fleetLoad(proxy.ticker().nanoTime());
        Double qps = f == null ? null : f.qps10s().get(FleetLoad.key(n));
        return qps == null ? Double.NaN : qps;
    }
}

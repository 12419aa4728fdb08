package dev.sluice.config.model;

/**
 * The {@code prequal} balancer (Google's Prequal, NSDI 2024): among a pool of nodes, those whose
 * in-flight count is above the pool's {@code hotQuantile} are hot; the request goes to the cold
 * node with the lowest latency estimate, or to the node with the fewest in flight when all are hot.
 * The paper's asynchronous probes are not built, so they have no key.
 */
public record PrequalConfig(
        @Key(doc = "a node is hot when its requests in flight are above this quantile of the pool's", value = "0.84", min = 0,
                max = 1) double hotQuantile,
        @Key(doc = "nodes compared per pick: all of a cluster up to this size, else this many at random", value = "16", min = 2,
                max = 64) int poolSize) {
}

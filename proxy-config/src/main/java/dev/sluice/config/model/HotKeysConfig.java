package dev.sluice.config.model;

/**
 * Hot-key splitting for consistent hashing: a key whose rate exceeds {@code spreadAbove} of one
 * node's fair share of the cluster's rate is spread over its owner and the next ring nodes, up to
 * {@code maxNodes} in all, by power of two choices; every other key keeps its node.
 */
public record HotKeysConfig(
        @Key(doc = "split a key whose rate exceeds this fraction of a node's fair share of the cluster's rate", value = "0.5",
                min = 0.01, max = 100) double spreadAbove,
        @Key(doc = "nodes a split key is spread over: its owner and the next ones on the ring", value = "3", min = 2, max = 64)
        int maxNodes) {
}

package dev.sluice.core.balance;

import dev.sluice.core.upstream.Node;

/**
 * Chooses a node for one request. A picker is immutable over an array snapshot of eligible nodes
 * (per-node counters stay live); when membership, health or weights change the balancer builds a
 * new one and the cluster publishes it through one volatile field.
 *
 * <p>Thread-safety: {@link #pick} is called concurrently from every event loop; it never locks,
 * allocates or scans all nodes.
 */
@FunctionalInterface
public interface Picker {

    /** Picks nobody: a cluster with no eligible node. */
    Picker EMPTY = ctx -> null;

    /** The node for this request, or {@code null} when no node is eligible. */
    Node pick(PickContext ctx);
}

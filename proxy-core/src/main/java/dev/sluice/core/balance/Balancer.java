package dev.sluice.core.balance;

import dev.sluice.core.upstream.Node;
import java.util.List;

/**
 * Per cluster: builds {@link Picker}s over the currently eligible nodes. Called off the request
 * path (start, membership, health or weight changes), from any thread, never concurrently for the
 * same cluster.
 */
public interface Balancer {

    Picker newPicker(List<Node> eligible, long nowNanos);
}

package dev.sluice.core.balance;

import dev.sluice.core.upstream.Node;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Per cluster: builds {@link Picker}s over the currently eligible nodes. Called off the request
 * path (start, membership, health or weight changes), from any thread, never concurrently for the
 * same cluster.
 */
public interface Balancer {

    Picker newPicker(List<Node> eligible, long nowNanos);

    /** Where this balancer's pickers count their picks by rule. */
    PickRules rules();

    /** Called at the end of every refresh of the cluster (same thread rules as {@link #newPicker}). */
    default void refreshed(long nowNanos) {
    }

    /** The keys this balancer splits over several nodes, or null when it splits none. */
    default @Nullable HotKeys hotKeys() {
        return null;
    }
}

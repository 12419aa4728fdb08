package dev.sluice.core.upstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.ClusterConfig;
import dev.sluice.core.balance.Balancer;
import dev.sluice.core.balance.Picker;
import dev.sluice.core.http.RequestContext;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A named set of nodes behind one balancer. The current {@link Picker} is published through one
 * volatile field: picks read it without locking, rebuilds replace it whole.
 */
public final class Cluster {

    private final ClusterConfig config;
    private final List<Node> nodes;
    private final Balancer balancer;
    private volatile Picker picker;

    public Cluster(ClusterConfig config, List<Node> nodes, Balancer balancer, long nowNanos) {
        this.config = requireNonNull(config, "config");
        this.nodes = List.copyOf(nodes);
        this.balancer = requireNonNull(balancer, "balancer");
        this.picker = balancer.newPicker(this.nodes, nowNanos);
    }

    public String name() {
        return config.name();
    }

    public ClusterConfig config() {
        return config;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The node for this request, or null when no node is eligible. */
    public @Nullable Node pick(RequestContext ctx) {
        return picker.pick(ctx);
    }

    /** Rebuilds the picker over the nodes; call off the request path. */
    public void refresh(long nowNanos) {
        picker = balancer.newPicker(nodes, nowNanos);
    }
}

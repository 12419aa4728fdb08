package dev.sluice.core.upstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.BalancerKind;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.core.balance.AdaptiveWeights;
import dev.sluice.core.balance.Balancer;
import dev.sluice.core.balance.Picker;
import dev.sluice.core.balance.SlowStart;
import dev.sluice.core.http.KeyExtractor;
import dev.sluice.core.http.RequestContext;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A named set of nodes behind one balancer.
 *
 * <p>Threading: {@link #pick} runs on every event loop and reads the current {@link Picker} from
 * one volatile field without locking. {@link #refresh} runs off the request path (a scheduler, or a
 * test driving a fake clock), one call at a time: it recomputes each node's effective weight
 * (configured x slow start x adaptive factor), publishes it, and builds a new picker when any
 * weight moved by more than {@link #WEIGHT_STEP} of itself.
 */
public final class Cluster {

    /** Relative weight change that is worth a new picker. */
    static final double WEIGHT_STEP = 0.01;

    private final ClusterConfig config;
    private final List<Node> nodes;
    private final Balancer balancer;
    private final AtomicInteger inFlight;
    private final AdaptiveWeights adaptive;
    private final @Nullable KeyExtractor hashKeys;
    private volatile Picker picker = Picker.EMPTY;
    /** Effective weights the current picker was built with; refresh-confined. */
    private double[] built;

    public Cluster(ClusterConfig config, List<Node> nodes, Balancer balancer, AtomicInteger inFlight, long nowNanos) {
        this.config = requireNonNull(config, "config");
        this.nodes = List.copyOf(nodes);
        this.balancer = requireNonNull(balancer, "balancer");
        this.inFlight = requireNonNull(inFlight, "inFlight");
        this.adaptive = new AdaptiveWeights(config.adaptiveWeights());
        this.hashKeys = config.hash().key() == null ? null : new KeyExtractor(config.hash().key(), config.hash().maxKeyLength());
        if (config.slowStart().rampOnStart()) {
            for (Node n : this.nodes) {
                n.startSlowStart(nowNanos);
            }
        }
        refresh(nowNanos);
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

    /** Requests in flight to any node of this cluster. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Whether requests are placed by key ({@code consistent-hash}). */
    public boolean hashed() {
        return config.balancer() == BalancerKind.CONSISTENT_HASH;
    }

    /** Where the hash key is read; null means the client IP. */
    public @Nullable KeyExtractor hashKeys() {
        return hashKeys;
    }

    /** The node for this request, or null when no node is eligible. */
    public @Nullable Node pick(RequestContext ctx) {
        return picker.pick(ctx);
    }

    /** Recomputes effective weights at {@code nowNanos} and rebuilds the picker if they moved. */
    public synchronized void refresh(long nowNanos) {
        adaptive.update(nodes, nowNanos);
        double[] weights = new double[nodes.size()];
        boolean changed = built == null;
        for (int i = 0; i < weights.length; i++) {
            Node n = nodes.get(i);
            double slow = SlowStart.factor(config.slowStart(), n.slowStartSince(), nowNanos);
            weights[i] = n.weight() * slow * n.adaptiveFactor();
            n.publishWeight(slow, weights[i]);
            changed |= !changed && Math.abs(weights[i] - built[i]) > WEIGHT_STEP * Math.max(weights[i], built[i]);
        }
        if (changed) {
            picker = balancer.newPicker(nodes, nowNanos);
            built = weights;
        }
    }

    /** Effective weights of the current picker, in node order. */
    public synchronized double[] builtWeights() {
        return built == null ? new double[0] : Arrays.copyOf(built, built.length);
    }
}

package dev.sluice.core.upstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.BalancerKind;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.OutlierDetectionConfig;
import dev.sluice.config.model.PeakEwmaConfig;
import dev.sluice.core.balance.AdaptiveWeights;
import dev.sluice.core.balance.Balancer;
import dev.sluice.core.balance.HotKeys;
import dev.sluice.core.balance.LoadWeights;
import dev.sluice.core.balance.PeakEwma;
import dev.sluice.core.balance.PickContext;
import dev.sluice.core.balance.Picker;
import dev.sluice.core.balance.Prequal;
import dev.sluice.core.balance.SlowStart;
import dev.sluice.core.health.Breaker;
import dev.sluice.core.health.CircuitBreaker;
import dev.sluice.core.health.Outcomes;
import dev.sluice.core.http.KeyExtractor;
import dev.sluice.core.time.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
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

    private static final System.Logger LOG = System.getLogger(Cluster.class.getName());

    /** Relative weight change that is worth a new picker. */
    static final double WEIGHT_STEP = 0.01;

    /** Replaced only by a reload that changes nothing but the backends. */
    private volatile ClusterConfig config;
    private volatile List<Node> nodes;
    private final Balancer balancer;
    private final AtomicInteger inFlight;
    private final AdaptiveWeights adaptive;
    /** peak-ewma or prequal: nodes keep a latency estimate, and reported in-flight counts age out. */
    private final boolean latencyAware;
    private final @Nullable KeyExtractor hashKeys; // from settings a backends-only reload leaves alone
    private final long tickNanos;
    private final long sloNanos;
    private volatile Consumer<Node> onAdded = n -> { };
    private volatile double hotWeightFactor = 1.0;
    private final HotSpots hotSpots;
    private final @Nullable RetryBudget retryBudget;
    private final LongAdder retries = new LongAdder();
    private final LongAdder connectTimeouts = new LongAdder();
    private final LongAdder responseTimeouts = new LongAdder();
    private final LongAdder requestTimeouts = new LongAdder();
    private volatile Picker picker = Picker.EMPTY;
    private volatile @Nullable Executor refresher;
    private volatile Ticker refreshTicker = Ticker.SYSTEM;
    private volatile int eligibleCount;
    private volatile boolean panic;
    /** Effective weights and members the current picker was built with; refresh-confined. */
    private double[] built;
    private List<Node> builtMembers = List.of();
    private long lastRefreshNanos;

    public Cluster(ClusterConfig config, List<Node> nodes, Balancer balancer, AtomicInteger inFlight, long nowNanos) {
        this.config = requireNonNull(config, "config");
        this.nodes = List.copyOf(nodes);
        this.balancer = requireNonNull(balancer, "balancer");
        this.inFlight = requireNonNull(inFlight, "inFlight");
        this.adaptive = new AdaptiveWeights(config.adaptiveWeights());
        this.latencyAware = config.balancer() == BalancerKind.PEAK_EWMA || config.balancer() == BalancerKind.PREQUAL;
        this.hashKeys = config.hash().key() == null ? null : new KeyExtractor(config.hash().key(), config.hash().maxKeyLength());
        this.retryBudget = config.retries() == null ? null : new RetryBudget(config.retries().budgetPercent());
        this.tickNanos = config.adaptiveWeights().interval().toNanos();
        this.sloNanos = config.circuitBreaker() == null ? Long.MAX_VALUE : config.circuitBreaker().latencySlo().toNanos();
        this.hotSpots = new HotSpots(config.name());
        for (Node n : this.nodes) {
            own(n, nowNanos);
        }
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

    /** Picks so far by rule (weight, bounded-load spill, hot-key split, cold node, panic). */
    public java.util.Map<String, Long> picksByRule() {
        return balancer.rules().snapshot();
    }

    /** The keys split over several nodes ({@code hash.hotKeys}), or null when the cluster splits none. */
    public @Nullable HotKeys hotKeys() {
        return balancer.hotKeys();
    }

    /** The node for this request, or null when no node is eligible. */
    public @Nullable Node pick(PickContext ctx) {
        return picker.pick(ctx);
    }

    private void own(Node n, long nowNanos) {
        PeakEwmaConfig pe = config.peakEwma();
        n.own(this, sloNanos, config.circuitBreaker() == null ? null : new CircuitBreaker(config.circuitBreaker(), tickNanos),
                new PeakEwma(pe.defaultLatency().toNanos(), pe.decay().toNanos(), nowNanos), latencyAware);
    }

    /** Least 10 s QPS a node needs to be called hot, so an idle cluster flags no noise. */
    public static final double HOT_FLOOR_QPS = 1.0;

    /** A node is hot when its 10 s QPS exceeds {@code factor} x the cluster's mean ({@code admin.hotSpotFactor}). */
    public void hotSpotFactor(double factor) {
        hotSpots.factor(factor);
    }

    /** With {@code hotSpot.feedback}, a hot node's effective weight is multiplied by this (else 1). */
    public void hotWeightFactor(double factor) {
        this.hotWeightFactor = factor;
    }

    /** The cluster's mean 10 s QPS per node, as of the last refresh. */
    public double meanQps() {
        return hotSpots.meanQps();
    }

    /** What the replicas sharing a store reported for this cluster: hot spots are judged on it while it is fresh. */
    public void fleetLoad(FleetLoad load) {
        hotSpots.fleet(load);
    }

    /** The fleet's view of this cluster, or null without one (no shared store, or none arrived lately). */
    public @Nullable FleetLoad fleetLoad(long nowNanos) {
        return hotSpots.fleet(nowNanos);
    }

    /** Called with every node that joins later (DNS): the health monitor starts probing it. */
    public void onNodeAdded(Consumer<Node> listener) {
        this.onAdded = requireNonNull(listener, "listener");
    }

    /**
     * Replaces the membership (DNS re-resolution). Nodes in both lists keep everything they have;
     * new ones enter slow start; removed ones leave the picker at once, finish their in-flight
     * requests, and close their idle connections.
     */
    public void updateMembers(List<Node> members, long nowNanos) {
        updateMembers(config, members, nowNanos);
    }

    /**
     * A reload that changed nothing of this cluster but its backends: the new configuration, and
     * {@code members} built from its backends (nodes that stay are the same objects). Weights of
     * nodes that stay follow their backend's new weight.
     */
    public synchronized void updateMembers(ClusterConfig newConfig, List<Node> members, long nowNanos) {
        if (!config.sameExceptBackends(newConfig)) {
            throw new IllegalArgumentException("cluster " + name() + ": a new configuration that changes more than backends needs a new cluster");
        }
        config = newConfig;
        List<Node> before = nodes;
        List<Node> after = List.copyOf(members);
        for (Node n : after) {
            for (var b : newConfig.backends()) {
                if (b.address().equals(n.address()) && b.weight() != n.weight()) {
                    n.reweight(b.weight());
                }
            }
        }
        for (Node n : after) {
            if (!before.contains(n)) {
                own(n, nowNanos);
                n.startSlowStart(nowNanos);
                LOG.log(System.Logger.Level.INFO, "node-added cluster={0} node={1} ip={2}", name(), n.address(),
                        n.socketAddress().getAddress().getHostAddress());
            }
        }
        nodes = after;
        for (Node n : before) {
            if (!after.contains(n)) {
                n.retire();
                LOG.log(System.Logger.Level.INFO, "node-removed cluster={0} node={1} ip={2} inFlight={3}", name(), n.address(),
                        n.socketAddress().getAddress().getHostAddress(), n.inFlight());
            }
        }
        built = null; // membership changed: rebuild
        refresh(nowNanos);
        for (Node n : after) {
            if (!before.contains(n)) {
                onAdded.accept(n);
            }
        }
    }

    /**
     * A reload rebuilt this cluster in place of one with other settings: each node found in
     * {@code predecessors} takes over its old node's state (statistics, health, slow start); every
     * other node is new and slow-starts. Call before the cluster is published.
     */
    public synchronized void carryOver(java.util.Map<Node, Node> predecessors, long nowNanos) {
        for (Node n : nodes) {
            Node old = predecessors.get(n);
            if (old == null) {
                n.startSlowStart(nowNanos);
            } else {
                n.inheritFrom(old);
            }
        }
        built = null;
        refresh(nowNanos);
    }

    /**
     * The cluster left the configuration (or was rebuilt): its nodes close their idle connections
     * and every connection that comes back. Requests in flight finish; a retry of one still picks
     * among these nodes.
     */
    public synchronized void retire() {
        for (Node n : nodes) {
            n.retire();
        }
    }

    /**
     * Where {@link #requestRefresh} runs refreshes (the server's refresh thread); null runs them
     * on the calling thread, as tests do.
     */
    public void refreshOn(@Nullable Executor executor, Ticker ticker) {
        this.refresher = executor;
        this.refreshTicker = requireNonNull(ticker, "ticker");
    }

    /** Something changed (health, a failure streak): refresh soon, off the caller's thread. */
    public void requestRefresh() {
        Executor e = refresher;
        if (e == null) {
            refresh(lastRefreshNanos);
        } else {
            e.execute(() -> refresh(refreshTicker.nanoTime()));
        }
    }

    /** Called on the event loops with a node's consecutive failures; cheap unless it reached the threshold. */
    void onFailureStreak(int streak) {
        OutlierDetectionConfig od = config.outlierDetection();
        if (od != null && streak == od.consecutiveFailures()) {
            requestRefresh();
        }
    }

    /**
     * Recomputes at {@code nowNanos}: ejections (and their ends), circuit breakers, effective
     * weights, and which nodes are eligible (healthy, not ejected, breaker not open); rebuilds the
     * picker when the members or a weight moved.
     */
    public synchronized void refresh(long nowNanos) {
        lastRefreshNanos = nowNanos;
        List<Node> nodes = this.nodes;
        Outcomes[] outcomes = new Outcomes[nodes.size()];
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = nodes.get(i).drainOutcomes();
        }
        adaptive.update(nodes, outcomes, nowNanos);
        if (latencyAware) {
            for (Node n : nodes) {
                n.latency().age(nowNanos);
                n.loadReport().age(nowNanos, Prequal.REPORT_MAX_AGE_NANOS);
            }
        }
        OutlierEjections.update(name(), nodes, config.outlierDetection(), nowNanos);
        hotSpots.judge(nodes, nowNanos);
        List<Node> eligible = new ArrayList<>(nodes.size());
        double[] weights = new double[nodes.size()];
        double[] reported = config.loadReports() == null ? null : LoadWeights.factors(nodes, config.loadReports(), nowNanos);
        for (int i = 0; i < weights.length; i++) {
            Node n = nodes.get(i);
            Breaker before = n.breaker();
            if (n.breakerLogic() != null) {
                Breaker after = n.breakerLogic().onTick(outcomes[i], nowNanos);
                n.breaker(after);
                if (after != before) {
                    LOG.log(System.Logger.Level.INFO, "breaker-transition cluster={0} node={1} state={2}",
                            name(), n.address(), after.name().toLowerCase(java.util.Locale.ROOT));
                    if (after == Breaker.CLOSED) {
                        n.startSlowStart(nowNanos);
                    }
                }
            }
            double slow = SlowStart.factor(config.slowStart(), n.slowStartSince(), nowNanos);
            double halfOpen = n.breaker() == Breaker.HALF_OPEN ? config.adaptiveWeights().minFactor() : 1.0;
            double hot = n.hot() ? hotWeightFactor : 1.0;
            n.hotFactor(hot);
            weights[i] = n.weight() * slow * n.adaptiveFactor() * halfOpen * hot * (reported == null ? 1 : reported[i]);
            n.publishWeight(slow, weights[i]);
            if (n.healthy() && !n.ejected() && n.breaker() != Breaker.OPEN) {
                eligible.add(n);
            }
        }
        eligibleCount = eligible.size();
        panic = !nodes.isEmpty() && eligible.size() * 100 < config.panicThresholdPercent() * nodes.size();
        balancer.rules().panic(panic);
        List<Node> members = panic ? nodes : eligible;
        boolean changed = built == null || built.length != weights.length || !members.equals(builtMembers);
        for (int i = 0; !changed && i < weights.length; i++) {
            changed = Math.abs(weights[i] - built[i]) > WEIGHT_STEP * Math.max(weights[i], built[i]);
        }
        if (changed) {
            picker = balancer.newPicker(members, nowNanos);
            built = weights;
            builtMembers = List.copyOf(members);
        }
        balancer.refreshed(nowNanos);
    }

    /** The retry budget, or null when the cluster does not retry. */
    public @Nullable RetryBudget retryBudget() {
        return retryBudget;
    }

    /** Counts one retry issued (for stats). */
    public void countRetry() {
        retries.increment();
    }

    /** Retries issued so far. */
    public long retriesIssued() {
        return retries.sum();
    }

    /** The three timeouts, each with its own status and counter. */
    public enum Timeout { CONNECT, RESPONSE, REQUEST }

    public void countTimeout(Timeout kind) {
        (kind == Timeout.CONNECT ? connectTimeouts : kind == Timeout.RESPONSE ? responseTimeouts : requestTimeouts).increment();
    }

    /** Timeouts of one kind so far: connect (502), response (504), request (408 or 504). */
    public long timeouts(Timeout kind) {
        return (kind == Timeout.CONNECT ? connectTimeouts : kind == Timeout.RESPONSE ? responseTimeouts : requestTimeouts).sum();
    }

    /** Nodes the balancer picks among now (healthy, not ejected, breaker not open). */
    public int eligibleCount() {
        return eligibleCount;
    }

    /** Whether too few nodes are eligible and the cluster spreads over all of them. */
    public boolean panic() {
        return panic;
    }
}

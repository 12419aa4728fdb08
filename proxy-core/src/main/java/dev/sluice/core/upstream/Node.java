package dev.sluice.core.upstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.HostPort;
import dev.sluice.core.balance.PeakEwma;
import dev.sluice.core.balance.SlowStart;
import dev.sluice.core.health.Breaker;
import dev.sluice.core.health.CircuitBreaker;
import dev.sluice.core.health.Outcomes;
import dev.sluice.core.metrics.NodeStats;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One backend address of a cluster, shared by every event loop.
 *
 * <p>Threading: request counters are atomics, updated by the event loops. The averages and factors
 * behind the effective weight are written only by the cluster's refresh (one thread at a time) and
 * published through volatile fields that pickers and the admin port read. Upstream pools are kept
 * one per event loop, each touched only by its own loop.
 */
public final class Node {

    private final String cluster;
    private final HostPort address;
    private final InetSocketAddress socketAddress;
    private volatile int weight;
    private final NodePools pools;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger clusterInFlight;

    private final LongAdder responses = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder slow = new LongAdder();
    private final LongAdder latencyNanos = new LongAdder();
    private final AtomicInteger failureStreak = new AtomicInteger();
    private NodeStats stats = new NodeStats(); // replaced only by inheritFrom, before the node is published
    private volatile boolean hot;
    private volatile double hotFactor = 1.0;
    /** The cluster that owns this node; set once when the cluster is built. */
    private volatile Cluster owner;
    /** The node left its cluster: connections handed back are closed, not kept. */
    private volatile boolean retired;
    private volatile long slowNanos = Long.MAX_VALUE;
    /** Latency estimate for peak-ewma and prequal; fed only when the owning cluster's balancer reads it. */
    private volatile PeakEwma latency = new PeakEwma(DEFAULT_LATENCY_NANOS, DEFAULT_DECAY_NANOS, 0);
    private volatile boolean trackLatency;
    /** What the backend last reported of its load (endpoint-load-metrics). */
    private final LoadReport loadReport = new LoadReport();

    // Health, ejection and breaker, as published by the health monitor and the cluster's refresh.
    private volatile boolean healthy = true;
    private volatile boolean ejected;
    private volatile long ejectedUntil;
    private volatile Breaker breaker = Breaker.CLOSED;
    private int ejections; // refresh-confined
    private CircuitBreaker breakerLogic; // refresh-confined; null without a circuitBreaker config

    // Written by the cluster's refresh only.
    private double latencyEwma = Double.NaN;
    private double errorEwma = Double.NaN;
    private volatile double adaptiveFactor = 1.0;
    private volatile double slowStartFactor = 1.0;
    private volatile double effectiveWeight;
    private volatile long slowStartSince = SlowStart.WARM;

    /** Linkerd's defaults, for a node outside a cluster (tests). */
    static final long DEFAULT_LATENCY_NANOS = 30_000_000L;
    static final long DEFAULT_DECAY_NANOS = 10_000_000_000L;

    public Node(String cluster, HostPort address, InetSocketAddress socketAddress, int weight,
            UpstreamConnector connector, int eventLoops, AtomicInteger clusterInFlight) {
        this.cluster = requireNonNull(cluster, "cluster");
        this.address = requireNonNull(address, "address");
        this.socketAddress = requireNonNull(socketAddress, "socketAddress");
        if (weight <= 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: > 0)");
        }
        this.weight = weight;
        this.effectiveWeight = weight;
        this.pools = new NodePools(this, requireNonNull(connector, "connector"), eventLoops);
        this.clusterInFlight = requireNonNull(clusterInFlight, "clusterInFlight");
    }

    public String cluster() {
        return cluster;
    }

    public HostPort address() {
        return address;
    }

    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    /** The configured weight. */
    public int weight() {
        return weight;
    }

    /** A reload changed the configured weight; the next refresh builds pickers with it. */
    void reweight(int weight) {
        if (weight <= 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: > 0)");
        }
        this.weight = weight;
    }

    /**
     * Takes over what {@code old} learned, when a reload rebuilt its cluster with other settings:
     * statistics (the same object, so in-flight requests of the old node still count), health,
     * ejection, slow-start progress, latency and error averages, the hot flag. The circuit breaker
     * starts closed under the new settings. Call before the new cluster is published.
     */
    void inheritFrom(Node old) {
        stats = old.stats;
        healthy = old.healthy;
        ejected = old.ejected;
        ejectedUntil = old.ejectedUntil;
        ejections = old.ejections;
        slowStartSince = old.slowStartSince;
        latencyEwma = old.latencyEwma;
        errorEwma = old.errorEwma;
        adaptiveFactor = old.adaptiveFactor;
        latency.inheritFrom(old.latency);
        loadReport.inheritFrom(old.loadReport);
        hot = old.hot;
        failureStreak.set(old.failureStreak.get());
    }

    /** Configured weight x slow-start factor x adaptive factor (x half-open and hot-spot factors), as of the last refresh. */
    public double effectiveWeight() {
        return effectiveWeight;
    }

    public double slowStartFactor() {
        return slowStartFactor;
    }

    public double adaptiveFactor() {
        return adaptiveFactor;
    }

    /** Requests picked for this node and not yet completed. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Upstream connections open to this node, all event loops together. */
    public int openConnections() {
        return pools.open();
    }

    /** Call once when a request is sent to this node; pair with exactly one {@link #endRequest}. */
    public void beginRequest() {
        inFlight.incrementAndGet();
        clusterInFlight.incrementAndGet();
    }

    public void endRequest() {
        inFlight.decrementAndGet();
        clusterInFlight.decrementAndGet();
    }

    /** A response head arrived {@code latencyNanos} after the request was sent; a 5xx counts as a failure. */
    public void recordResponse(long nowNanos, long latencyNanos, boolean serverError) {
        stats.record(nowNanos, latencyNanos, serverError);
        if (trackLatency) {
            if (serverError) {
                latency.observeFailure(nowNanos, latencyNanos);
            } else {
                latency.observe(nowNanos, latencyNanos);
            }
        }
        recordResponse(latencyNanos, serverError);
    }

    /** A failure at {@code nowNanos}: also counted in the node's statistics. */
    public void recordFailure(long nowNanos, long latencyNanos) {
        stats.record(nowNanos, latencyNanos, true);
        if (trackLatency) {
            latency.observeFailure(nowNanos, latencyNanos);
        }
        recordFailure(latencyNanos);
    }

    /** The peak-EWMA latency estimate that peak-ewma and prequal pick by. */
    public PeakEwma latency() {
        return latency;
    }

    /** The backend's last load report. */
    public LoadReport loadReport() {
        return loadReport;
    }

    /** As {@link #recordResponse(long, long, boolean)} without statistics (balancer tests and simulations). */
    public void recordResponse(long latencyNanos, boolean serverError) {
        if (serverError) {
            recordFailure(latencyNanos);
            return;
        }
        responses.increment();
        this.latencyNanos.add(latencyNanos);
        if (latencyNanos > slowNanos) {
            slow.increment();
        }
        failureStreak.set(0);
    }

    /** No usable response: connect error, reset, timeout, garbage or 5xx. */
    public void recordFailure(long latencyNanos) {
        failures.increment();
        this.latencyNanos.add(latencyNanos);
        int streak = failureStreak.incrementAndGet();
        Cluster c = owner;
        if (c != null) {
            c.onFailureStreak(streak);
        }
    }

    /** Counts, QPS, error rate and latency percentiles for the admin port. */
    public NodeStats stats() {
        return stats;
    }

    /** Whether the cluster's hot-spot detection flags this node now. */
    public boolean hot() {
        return hot;
    }

    void hot(boolean h) {
        hot = h;
    }

    /** The hot-spot feedback factor in the effective weight (1 unless feedback is on and the node is hot). */
    public double hotFactor() {
        return hotFactor;
    }

    void hotFactor(double f) {
        hotFactor = f;
    }

    /** Consecutive failures since the last success. */
    public int failureStreak() {
        return failureStreak.get();
    }

    void resetFailureStreak() {
        failureStreak.set(0);
    }

    void own(Cluster cluster, long slowNanos, CircuitBreaker breakerLogic, PeakEwma latency, boolean trackLatency) {
        this.owner = cluster;
        this.latency = latency;
        this.trackLatency = trackLatency;
        this.slowNanos = slowNanos;
        this.breakerLogic = breakerLogic;
    }

    CircuitBreaker breakerLogic() {
        return breakerLogic;
    }

    /** The node left its cluster: close its idle pooled connections (each on its own loop); busy ones finish first. */
    void retire() {
        retired = true;
        owner = null;
        pools.closeIdleLater();
    }

    /** Whether the node left its cluster (its pools close connections as they come back). */
    boolean retired() {
        return retired;
    }

    /** Whether active health checks (if any) consider the node healthy. */
    public boolean healthy() {
        return healthy;
    }

    /** Published by the health monitor on a confirmed transition. */
    public void healthy(boolean healthy) {
        this.healthy = healthy;
    }

    public boolean ejected() {
        return ejected;
    }

    public long ejectedUntil() {
        return ejectedUntil;
    }

    public Breaker breaker() {
        return breaker;
    }

    void eject(long untilNanos) {
        ejections++;
        ejectedUntil = untilNanos;
        ejected = true;
    }

    void unEject() {
        ejected = false;
    }

    int ejections() {
        return ejections;
    }

    void breaker(Breaker state) {
        breaker = state;
    }

    /** Starts (or restarts) the slow-start ramp: the node is new, or back from unhealthy or ejected. */
    public void startSlowStart(long nowNanos) {
        slowStartSince = nowNanos == SlowStart.WARM ? nowNanos + 1 : nowNanos;
    }

    /** When the current ramp started, or {@link SlowStart#WARM}. */
    public long slowStartSince() {
        return slowStartSince;
    }

    // ---- for the cluster's refresh only ----

    /** The outcomes since the last call, resetting them. */
    public Outcomes drainOutcomes() {
        return new Outcomes(responses.sumThenReset(), failures.sumThenReset(), slow.sumThenReset(), latencyNanos.sumThenReset());
    }

    public double latencyEwma() {
        return latencyEwma;
    }

    public void latencyEwma(double v) {
        latencyEwma = v;
    }

    public double errorEwma() {
        return errorEwma;
    }

    public void errorEwma(double v) {
        errorEwma = v;
    }

    public void adaptiveFactor(double f) {
        adaptiveFactor = f;
    }

    /** Publishes the weight pickers built from now on will use. */
    public void publishWeight(double slowStart, double effective) {
        slowStartFactor = slowStart;
        effectiveWeight = effective;
    }

    /** The node's upstream connections, per event loop. */
    public NodePools pools() {
        return pools;
    }

    @Override
    public String toString() {
        return cluster + "/" + address;
    }
}

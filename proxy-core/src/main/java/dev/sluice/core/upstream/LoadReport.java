package dev.sluice.core.upstream;

/**
 * What a backend last said of its own load, from an {@code endpoint-load-metrics} response header
 * in ORCA's text form ({@code TEXT cpu_utilization=0.3, rps_fractional=120, eps=2,
 * named_metrics.rif=4}); see {@link OrcaText}. Utilisation is {@code application_utilization}
 * when the backend gives it, else {@code cpu_utilization}; {@code named_metrics.rif} (requests in
 * flight) and {@code named_metrics.latency_ms} are what {@code prequal} reads.
 *
 * <p>Threading: written by the event loop that read the response, read by the cluster's refresh
 * and by pickers. Fields are volatile but not updated together: two reports racing may mix, which
 * a load estimate tolerates.
 */
public final class LoadReport {

    /** No report yet. */
    public static final long NEVER = Long.MIN_VALUE;

    private volatile double utilization;
    private volatile double rps;
    private volatile double eps;
    private volatile double inFlight = -1;
    private volatile double latencyMs = -1;
    private volatile long firstNanos = NEVER;
    private volatile long lastNanos = NEVER;

    /** Stores one parsed report; negative values mean the report did not say. */
    void update(double utilization, double rps, double eps, double inFlight, double latencyMs, long nowNanos) {
        this.utilization = utilization;
        this.rps = rps;
        this.eps = eps;
        this.inFlight = inFlight;
        this.latencyMs = latencyMs;
        if (firstNanos == NEVER || nowNanos - lastNanos > STALE_RUN_NANOS) {
            firstNanos = nowNanos; // a fresh run of reports: the blackout period starts again
        }
        lastNanos = nowNanos;
    }

    /** A gap longer than this between reports starts a new run (and a new blackout period). */
    static final long STALE_RUN_NANOS = 60_000_000_000L;

    void inheritFrom(LoadReport old) {
        utilization = old.utilization;
        rps = old.rps;
        eps = old.eps;
        inFlight = old.inFlight;
        latencyMs = old.latencyMs;
        firstNanos = old.firstNanos;
        lastNanos = old.lastNanos;
    }

    public double utilization() {
        return utilization;
    }

    /** The backend's queries per second ({@code rps_fractional}). */
    public double rps() {
        return rps;
    }

    /** The backend's errors per second ({@code eps}). */
    public double eps() {
        return eps;
    }

    /** Requests in flight at the backend ({@code named_metrics.rif}), or -1 when not reported. */
    public double inFlight() {
        return inFlight;
    }

    /** The backend's latency estimate in ms ({@code named_metrics.latency_ms}), or -1 when not reported. */
    public double latencyMs() {
        return latencyMs;
    }

    /** When the current run of reports began, or {@link #NEVER}. */
    public long firstNanos() {
        return firstNanos;
    }

    /** When the last report arrived, or {@link #NEVER}. */
    public long lastNanos() {
        return lastNanos;
    }

    /**
     * Forgets the in-flight count and latency once the last report is older than
     * {@code maxAgeNanos}: they describe a moment, not a trend. The cluster's refresh calls it.
     */
    public void age(long nowNanos, long maxAgeNanos) {
        if (inFlight >= 0 || latencyMs >= 0) {
            long last = lastNanos;
            if (last == NEVER || nowNanos - last > maxAgeNanos) {
                inFlight = -1;
                latencyMs = -1;
            }
        }
    }

    /** Whether a report arrived within {@code maxAgeNanos} of {@code nowNanos}. */
    public boolean fresh(long nowNanos, long maxAgeNanos) {
        long last = lastNanos;
        return last != NEVER && nowNanos - last <= maxAgeNanos;
    }
}

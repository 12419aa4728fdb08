package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The {@code peak-ewma} balancer (Finagle's and Linkerd's): cost = peak-EWMA latency x (in flight
 * + 1) / effective weight. A slower sample replaces the estimate at once; a faster one pulls it
 * down with weight {@code 1 - exp(-elapsed/decay)}.
 */
public record PeakEwmaConfig(
        @Key(doc = "latency assumed for a node with no sample yet", value = "30ms") Duration defaultLatency,
        @Key(doc = "how fast faster samples (and idle time) pull the estimate down: weight exp(-elapsed/decay)", value = "10s")
        Duration decay,
        @Key(doc = "clusters up to this size are scanned in full; larger ones use power-of-two-choices", value = "10", min = 2)
        int fullScanMaxNodes) {

    public PeakEwmaConfig {
        requireNonNull(defaultLatency, "defaultLatency");
        requireNonNull(decay, "decay");
    }
}

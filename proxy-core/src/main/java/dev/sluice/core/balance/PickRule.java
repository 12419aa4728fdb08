package dev.sluice.core.balance;

import java.util.Locale;

/** Why a picker chose the node it chose; counted per cluster and named in {@code X-Sluice-Pick}. */
public enum PickRule {
    /** The balancer's own order: weights, least cost, or the key's owner on the ring. */
    WEIGHT,
    /** Consistent hashing: the owner was at its bound, the next node with room took the key. */
    BOUNDED_LOAD_SPILL,
    /** Consistent hashing: a split hot key, placed on one of its nodes by power of two choices. */
    HOT_KEY_SPLIT,
    /** Prequal: the cold node with the lowest latency. */
    COLD_NODE,
    /** Too few nodes were eligible: the cluster spreads over all of them. */
    PANIC;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** As {@code /stats} and the header write it: {@code bounded-load-spill}. */
    public String label() {
        return label;
    }
}

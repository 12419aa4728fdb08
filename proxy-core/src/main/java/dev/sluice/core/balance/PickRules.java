package dev.sluice.core.balance;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * One cluster's picks by {@link PickRule}: pickers {@link #count} every pick they make, which also
 * tells the request ({@link PickContext#picked}). While the cluster is in panic every pick counts
 * as {@link PickRule#PANIC}. Thread-safe; counting allocates nothing.
 */
public final class PickRules {

    private static final PickRule[] RULES = PickRule.values();

    private final LongAdder[] counts = new LongAdder[RULES.length];
    private volatile boolean panic;

    public PickRules() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** Counts one pick by {@code rule} (or by panic) and tells {@code ctx}; returns {@code node}. */
    public <N> N count(PickContext ctx, N node, PickRule rule) {
        PickRule r = panic ? PickRule.PANIC : rule;
        counts[r.ordinal()].increment();
        if (ctx != null) {
            ctx.picked(r);
        }
        return node;
    }

    /** Set by the cluster's refresh. */
    public void panic(boolean on) {
        panic = on;
    }

    /** Picks so far per rule, every rule present, in declaration order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (PickRule r : RULES) {
            out.put(r.label(), counts[r.ordinal()].sum());
        }
        return out;
    }
}

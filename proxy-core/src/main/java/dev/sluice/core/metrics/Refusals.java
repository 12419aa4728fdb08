package dev.sluice.core.metrics;

import java.util.concurrent.atomic.LongAdder;

/** Requests refused at the door, by reason. One instance per server; lock-free. */
public final class Refusals {

    private final LongAdder ip = new LongAdder();
    private final LongAdder partition = new LongAdder();
    private final LongAdder overload = new LongAdder();
    private final LongAdder hygiene = new LongAdder();

    public void count(String reason) {
        adder(reason).increment();
    }

    /** Refusals so far for {@code ip}, {@code partition}, {@code overload} or {@code hygiene}. */
    public long get(String reason) {
        return adder(reason).sum();
    }

    private LongAdder adder(String reason) {
        return switch (reason) {
            case "ip" -> ip;
            case "partition" -> partition;
            case "overload" -> overload;
            default -> hygiene;
        };
    }
}

package dev.sluice.core.time;

import static java.util.Objects.requireNonNull;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link TimerWheel} per event loop, made on first use. A server keeps one and hands it to
 * its listeners and connectors; a channel looks its wheel up once, when it is set up.
 * Thread-safe.
 */
public final class TimerWheels {

    private final ConcurrentHashMap<EventExecutor, TimerWheel> wheels = new ConcurrentHashMap<>();
    private final Ticker ticker;
    private final long tickNanos;

    /** Wheels on the system clock with the {@linkplain TimerWheel#DEFAULT_TICK_NANOS default tick}. */
    public TimerWheels() {
        this(Ticker.SYSTEM, TimerWheel.DEFAULT_TICK_NANOS);
    }

    public TimerWheels(Ticker ticker, long tickNanos) {
        this.ticker = requireNonNull(ticker, "ticker");
        this.tickNanos = tickNanos;
    }

    /** The wheel of {@code loop}. */
    public TimerWheel of(EventExecutor loop) {
        TimerWheel w = wheels.get(loop);
        return w != null ? w : wheels.computeIfAbsent(loop, l -> new TimerWheel(l, ticker, tickNanos));
    }
}

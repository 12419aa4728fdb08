package dev.sluice.core.testing;

import dev.sluice.core.time.Ticker;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ticker that moves only when told. It starts at a random value a little below
 * {@code Long.MAX_VALUE}, so code that compares readings instead of subtracting them breaks in tests.
 */
public final class FakeTicker implements Ticker {

    private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - Duration.ofHours(1).toNanos()
            - ThreadLocalRandom.current().nextLong(Duration.ofHours(1).toNanos()));

    @Override
    public long nanoTime() {
        return now.get();
    }

    public FakeTicker advance(Duration d) {
        now.addAndGet(d.toNanos());
        return this;
    }
}

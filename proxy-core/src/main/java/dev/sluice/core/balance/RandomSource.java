package dev.sluice.core.balance;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Random numbers for pickers: tie breaks and power-of-two choices. Production uses the calling
 * thread's {@link ThreadLocalRandom}; tests pass a seeded source and pick from one thread.
 */
@FunctionalInterface
public interface RandomSource {

    RandomSource THREAD_LOCAL = bound -> ThreadLocalRandom.current().nextInt(bound);

    /** A uniform integer in {@code [0, bound)}. */
    int nextInt(int bound);
}

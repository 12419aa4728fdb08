package dev.sluice.core.balance;

import dev.sluice.config.model.ClusterConfig;
import dev.sluice.core.time.Ticker;
import java.util.concurrent.atomic.AtomicInteger;

/** The balancer a cluster's configuration asks for. */
public final class Balancers {

    private Balancers() {
    }

    /** {@code ticker}: where balancers that keep time between refreshes read it (hot keys' sketch starts at its reading). */
    public static Balancer create(ClusterConfig c, AtomicInteger clusterInFlight, RandomSource random, Ticker ticker) {
        return switch (c.balancer()) {
            case DRR -> new DynamicRoundRobin();
            case LEAST_CONNECTIONS -> CostBalancer.leastConnections(c.leastConnections().fullScanMaxNodes(), random);
            case CONSISTENT_HASH -> new ConsistentHash(c.hash().virtualNodes(), c.hash().balanceFactor(), clusterInFlight,
                    c.hash().hotKeys() == null ? null : new HotKeys(c.hash().hotKeys(), ticker.nanoTime()), random);
            case PEAK_EWMA -> CostBalancer.peakEwma(c.peakEwma().fullScanMaxNodes(), random);
            case PREQUAL -> new Prequal(c.prequal().hotQuantile(), c.prequal().poolSize(), random);
        };
    }
}

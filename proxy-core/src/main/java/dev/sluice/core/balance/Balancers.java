package dev.sluice.core.balance;

import dev.sluice.config.model.ClusterConfig;
import java.util.concurrent.atomic.AtomicInteger;

/** The balancer a cluster's configuration asks for. */
public final class Balancers {

    private Balancers() {
    }

    public static Balancer create(ClusterConfig c, AtomicInteger clusterInFlight, RandomSource random) {
        return switch (c.balancer()) {
            case DRR -> new DynamicRoundRobin();
            case LEAST_CONNECTIONS -> new LeastConnections(c.leastConnections().fullScanMaxNodes(), random);
            case CONSISTENT_HASH -> new ConsistentHash(c.hash().virtualNodes(), c.hash().balanceFactor(), clusterInFlight);
        };
    }
}

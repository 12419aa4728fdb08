package dev.sluice.core.upstream;

import java.util.List;
import java.util.Map;

/**
 * What the replicas sharing a store reported for one cluster: per node (by {@link #key}) the sum
 * of their 10 s QPS, the replicas that reported, and when it arrived (the server's ticker).
 */
public record FleetLoad(Map<String, Double> qps10s, List<String> replicas, long atNanos) {

    public FleetLoad {
        qps10s = Map.copyOf(qps10s);
        replicas = List.copyOf(replicas);
    }

    /** How replicas name a node to each other: its configured address and the IP it resolved to. */
    public static String key(Node n) {
        return n.address() + "/" + n.socketAddress().getAddress().getHostAddress();
    }
}

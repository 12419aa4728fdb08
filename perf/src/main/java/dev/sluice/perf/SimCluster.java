package dev.sluice.perf;

import dev.sluice.config.load.YamlConfigLoader;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.HostPort;
import dev.sluice.core.balance.Balancers;
import dev.sluice.core.balance.RandomSource;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.UpstreamConnector;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A real {@link Cluster} of never-connected nodes, for simulations and benchmarks. */
final class SimCluster {

    final Cluster cluster;
    final List<Node> nodes;
    final AtomicInteger inFlight = new AtomicInteger();

    SimCluster(String clusterYaml, int nodeCount, RandomSource random, long nowNanos) {
        this(clusterYaml, nodeCount, random, Ticker.SYSTEM, nowNanos);
    }

    SimCluster(String clusterYaml, int nodeCount, RandomSource random, Ticker clock, long nowNanos) {
        this(clusterYaml, nodeCount, nodeCount, random, clock, nowNanos);
    }

    /**
     * {@code nodeCount} nodes of which the cluster starts with the first {@code initial} (the others
     * join through {@code cluster.updateMembers}); {@code clock}: the (simulated) time pickers that
     * read time see.
     */
    SimCluster(String clusterYaml, int nodeCount, int initial, RandomSource random, Ticker clock, long nowNanos) {
        ClusterConfig config = config(clusterYaml);
        UpstreamConnector connector = new UpstreamConnector(NioSocketChannel::new, config);
        nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            String ip = "10.0." + (i / 250) + "." + (1 + i % 250);
            nodes.add(new Node(config.name(), new HostPort(ip, 8080), new InetSocketAddress(ip, 8080), 1, connector, 1, inFlight));
        }
        cluster = new Cluster(config, nodes.subList(0, initial), Balancers.create(config, inFlight, random, clock), inFlight, nowNanos);
    }

    static ClusterConfig config(String clusterYaml) {
        try {
            return YamlConfigLoader.load("listeners: [ { name: a, bind: \"127.0.0.1:0\" } ]\n"
                    + "routes: [ { match: { pathPrefix: / }, cluster: sim } ]\n"
                    + "clusters: [ " + clusterYaml + " ]\n", "simulation").config().clusters().get(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.sluice.core.testing;

import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.HostPort;
import dev.sluice.config.load.YamlConfigLoader;
import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.UpstreamConnector;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Nodes for balancer tests: never connected, so no event loop is needed. */
public final class Nodes {

    private Nodes() {
    }

    public static List<Node> withWeights(int... weights) {
        return withWeights(new AtomicInteger(), weights);
    }

    /** Nodes whose in-flight requests also count in {@code clusterInFlight}. */
    public static List<Node> withWeights(AtomicInteger clusterInFlight, int... weights) {
        UpstreamConnector connector = new UpstreamConnector(NioSocketChannel::new, defaultCluster());
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            int port = 10_000 + i;
            out.add(new Node("test", new HostPort("127.0.0." + (1 + i / 50000), port), new InetSocketAddress("127.0.0.1", port),
                    weights[i], connector, 1, clusterInFlight));
        }
        return out;
    }

    static ClusterConfig defaultCluster() {
        return cluster("{ name: c }");
    }

    /** A cluster configuration from one YAML flow mapping, e.g. {@code { name: c, balancer: drr }}. */
    public static ClusterConfig cluster(String yaml) {
        try {
            return YamlConfigLoader.load("listeners: [ { name: a, bind: \"127.0.0.1:0\" } ]\n"
                    + "routes: [ { match: { pathPrefix: / }, cluster: c } ]\n"
                    + "clusters: [ " + yaml + " ]\n", "nodes").config().clusters().get(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.sluice.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.model.BackendConfig;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.core.balance.DynamicRoundRobin;
import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.Nodes;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class DnsRefresherTest {

    private static InetAddress[] ips(String... literals) throws UnknownHostException {
        InetAddress[] out = new InetAddress[literals.length];
        for (int i = 0; i < literals.length; i++) {
            out[i] = InetAddress.getByName(literals[i]); // literals: no lookup
        }
        return out;
    }

    @Test
    void everyAddressIsANodeAndChangesKeepStayersAndRampNewcomers() throws Exception {
        FakeTicker ticker = new FakeTicker();
        ClusterConfig config = Nodes.cluster("{ name: c, adaptiveWeights: { enabled: false }, slowStart: { window: 10s },"
                + " backends: [ { address: \"svc.test:8080\" } ] }");
        AtomicReference<InetAddress[]> answer = new AtomicReference<>(ips("10.0.0.1", "10.0.0.2"));
        DnsRefresher.Resolver resolver = host -> {
            InetAddress[] a = answer.get();
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return a;
        };
        AtomicInteger inFlight = new AtomicInteger();
        UpstreamConnector connector = new UpstreamConnector(NioSocketChannel::new, config);
        BiFunction<BackendConfig, InetSocketAddress, Node> factory = (b, sa) ->
                new Node("c", b.address(), sa, b.weight(), connector, 1, inFlight);

        List<Node> initial = DnsRefresher.resolve(config.backends(), List.of(), resolver, factory);
        assertEquals(2, initial.size());
        Cluster cluster = new Cluster(config, initial, new DynamicRoundRobin(), inFlight, ticker.nanoTime());
        Node first = initial.get(0);
        Node second = initial.get(1);
        first.beginRequest(); // an in-flight request on the node about to vanish
        DnsRefresher dns = new DnsRefresher(cluster, resolver, factory, ticker);

        answer.set(ips("10.0.0.2", "10.0.0.3"));
        ticker.advance(Duration.ofSeconds(30));
        dns.run();
        List<Node> now = cluster.nodes();
        assertEquals(2, now.size());
        assertSame(second, now.get(0), "a node whose address stays is the same node, with its stats");
        Node added = now.get(1);
        assertEquals("10.0.0.3", added.socketAddress().getAddress().getHostAddress());
        assertEquals(0.1, added.slowStartFactor(), 1e-9, "a new address enters slow start");
        Set<Node> picked = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            picked.add(cluster.pick(null));
        }
        assertTrue(!picked.contains(first), "a vanished address gets no new requests");
        assertEquals(1, first.inFlight(), "its in-flight request finishes on it");
        first.endRequest();
        assertEquals(0, inFlight.get());

        answer.set(null); // the name stops resolving: keep what we have
        dns.run();
        assertEquals(now, cluster.nodes());

        answer.set(ips("10.0.0.2", "10.0.0.3"));
        dns.run();
        assertSame(added, cluster.nodes().get(1), "nothing changed: nothing replaced");
        assertNotEquals(first, cluster.nodes().get(0));
    }

    @Test
    void ipLiteralsNeedNoRefresh() {
        assertEquals(false, DnsRefresher.hasNames(Nodes.cluster("{ name: c, backends: [ { address: \"10.0.0.1:80\" },"
                + " { address: \"[::1]:80\" } ] }").backends()));
        assertEquals(true, DnsRefresher.hasNames(Nodes.cluster("{ name: c, backends: [ { address: \"db.internal:80\" } ] }").backends()));
    }
}

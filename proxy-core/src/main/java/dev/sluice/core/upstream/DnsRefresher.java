package dev.sluice.core.upstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.BackendConfig;
import dev.sluice.core.time.Ticker;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Re-resolves a cluster's host-name backends (every {@code dnsRefresh}, on the refresh thread:
 * name lookups block, so never on an event loop). Every address of a name is a node. A node whose
 * backend and address are still listed is kept as it is (stats, health, slow start); a new address
 * becomes a new node, which the cluster ramps up; a vanished one leaves. A name that fails to
 * resolve keeps its previous nodes.
 */
public final class DnsRefresher implements Runnable {

    /** Name lookups; the system's by default, a fake one in tests. */
    @FunctionalInterface
    public interface Resolver {
        Resolver SYSTEM = InetAddress::getAllByName;

        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final System.Logger LOG = System.getLogger(DnsRefresher.class.getName());

    private final Cluster cluster;
    private final Resolver resolver;
    private final BiFunction<BackendConfig, InetSocketAddress, Node> nodes;
    private final Ticker ticker;

    public DnsRefresher(Cluster cluster, Resolver resolver, BiFunction<BackendConfig, InetSocketAddress, Node> nodes, Ticker ticker) {
        this.cluster = requireNonNull(cluster, "cluster");
        this.resolver = requireNonNull(resolver, "resolver");
        this.nodes = requireNonNull(nodes, "nodes");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    /** Whether any backend of {@code backends} is a name rather than an IP literal. */
    public static boolean hasNames(List<BackendConfig> backends) {
        for (BackendConfig b : backends) {
            if (!NetUtil.isValidIpV4Address(b.address().host()) && !NetUtil.isValidIpV6Address(b.address().host())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void run() {
        try {
            List<Node> current = cluster.nodes();
            List<Node> next = resolve(cluster.config().backends(), current, resolver, nodes);
            if (!next.equals(current)) {
                cluster.updateMembers(next, ticker.nanoTime());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "re-resolving cluster " + cluster.name() + " failed", e);
        }
    }

    /**
     * The nodes for {@code backends} now: existing nodes reused where backend and address match.
     * A name that does not resolve keeps the nodes it had (none at start: the caller reports it).
     */
    public static List<Node> resolve(List<BackendConfig> backends, List<Node> existing, Resolver resolver,
            BiFunction<BackendConfig, InetSocketAddress, Node> factory) {
        List<Node> out = new ArrayList<>();
        for (BackendConfig b : backends) {
            InetAddress[] ips;
            try {
                ips = resolver.resolve(b.address().host());
            } catch (UnknownHostException e) {
                LOG.log(System.Logger.Level.WARNING, "dns host={0} failed to resolve; keeping its nodes", b.address().host());
                for (Node n : existing) {
                    if (n.address().equals(b.address())) {
                        out.add(n);
                    }
                }
                continue;
            }
            for (InetAddress ip : ips) {
                InetSocketAddress sa = new InetSocketAddress(ip, b.address().port());
                Node found = null;
                for (Node n : existing) {
                    if (n.address().equals(b.address()) && n.socketAddress().equals(sa)) {
                        found = n;
                        break;
                    }
                }
                if (found == null) {
                    out.add(factory.apply(b, sa));
                } else if (!out.contains(found)) {
                    out.add(found);
                }
            }
        }
        return out;
    }
}

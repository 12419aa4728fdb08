package dev.sluice.core.fleet;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.time.Ticker;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.FleetLoad;
import dev.sluice.core.upstream.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The fleet's view of each cluster's load: every second (on the store's heartbeat thread) this
 * replica publishes its 10 s QPS per node to one Redis hash per cluster ({@code <prefix>:load:<cluster>},
 * through {@code presence.lua}, so a replica that stops publishing drops out after 3 s and the hash
 * expires with the last one), and hands each cluster the sums over the replicas that answered.
 * Hot spots are then judged on the fleet's traffic ({@link Cluster#fleetLoad(FleetLoad)}).
 */
public final class FleetLoads implements Runnable {

    private final RedisStore store;
    private final Supplier<? extends Collection<Cluster>> clusters;
    private final Ticker ticker;

    public FleetLoads(RedisStore store, Supplier<? extends Collection<Cluster>> clusters, Ticker ticker) {
        this.store = requireNonNull(store, "store");
        this.clusters = requireNonNull(clusters, "clusters");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    @Override
    public void run() {
        if (!store.up()) {
            return; // the clusters' views go stale and they judge on their own traffic
        }
        long now = ticker.nanoTime();
        for (Cluster c : clusters.get()) {
            StringBuilder payload = new StringBuilder();
            for (Node n : c.nodes()) {
                payload.append(payload.isEmpty() ? "" : " ").append(FleetLoad.key(n)).append('=')
                        .append(String.format(Locale.ROOT, "%.3f", n.stats().qps(now, 10)));
            }
            store.presence(store.key("load:" + c.name()), payload.toString())
                    .thenAccept(alive -> c.fleetLoad(sum(alive, ticker.nanoTime())));
        }
    }

    /** Sums {id, "node=qps node=qps", ...} per node. */
    static FleetLoad sum(List<String> alive, long atNanos) {
        Map<String, Double> qps = new HashMap<>();
        List<String> replicas = new ArrayList<>(alive.size() / 2);
        for (int i = 0; i + 1 < alive.size(); i += 2) {
            replicas.add(alive.get(i));
            for (String entry : alive.get(i + 1).split(" ")) {
                int eq = entry.lastIndexOf('=');
                if (eq > 0) {
                    try {
                        qps.merge(entry.substring(0, eq), Double.parseDouble(entry.substring(eq + 1)), Double::sum);
                    } catch (NumberFormatException e) {
                        // another build's entry: skipped
                    }
                }
            }
        }
        return new FleetLoad(qps, replicas, atNanos);
    }
}

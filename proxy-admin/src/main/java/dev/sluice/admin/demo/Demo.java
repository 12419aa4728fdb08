package dev.sluice.admin.demo;

import dev.sluice.config.model.BackendConfig;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.ProxyConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What {@code --demo} adds to a running Sluice: its backends, and what to try. */
public final class Demo {

    private Demo() {
    }

    /** One demo backend per distinct address of the demo configuration's clusters. */
    public static DemoBackends backends(ProxyConfig config) throws Exception {
        Set<InetSocketAddress> addresses = new LinkedHashSet<>();
        for (ClusterConfig c : config.clusters()) {
            for (BackendConfig b : c.backends()) {
                addresses.add(new InetSocketAddress(b.address().host(), b.address().port()));
            }
        }
        return new DemoBackends(new ArrayList<>(addresses));
    }

    /** The lines printed once the demo is ready. */
    public static String instructions(InetSocketAddress listener, InetSocketAddress admin, boolean load) {
        String base = "http://" + listener.getHostString() + ":" + listener.getPort();
        String dashboard = "http://" + admin.getHostString() + ":" + admin.getPort() + "/";
        List<String> lines = new ArrayList<>(List.of(
                "Demo: four backends behind %1$s (127.0.0.1:18084 is the slow one, 80 ms). Try:",
                "  curl -s %1$s/hello                          # drr, weights 1:1:2:1; the slow node's share shrinks",
                "  curl -s --http2-prior-knowledge %1$s/hello  # HTTP/2 cleartext, prior knowledge",
                "  curl -si %1$s/api/x                         # peak-ewma; X-Sluice-Pick says which node and why",
                "  curl -s -H 'X-User-Id: alice' %1$s/users    # consistent hashing: alice keeps her node",
                "  for i in $(seq 10); do curl -s -o /dev/null -w '%%{http_code} ' -H 'X-Tenant-Id: noisy' %1$s/; done",
                "                                              # the noisy tenant: 5 a second, then 429",
                "Dashboard: %2$s" + (load ? " (the demo load runs for two minutes: within 10 s a user turns hot, "
                        + "is split over three nodes, and the noisy tenant gets 429s)" : " (java -jar sluice.jar --demo-load "
                        + "adds a load that shows hot spots, a split key and 429s)"),
                "Press Ctrl-C to stop."));
        return String.join("\n", lines).formatted(base, dashboard);
    }
}

package dev.sluice.core.server;

import dev.sluice.config.ConfigProblem;
import dev.sluice.config.load.SourceMap;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.config.model.UpstreamProtocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The configuration keys this build parses but does not act on yet. Each one written in a file is
 * reported as a warning at start and by {@code --check}, so nothing is silently ignored. The list
 * shrinks as the features land; a test keeps it honest.
 */
public final class Unimplemented {

    /** Key path (list indexes written {@code []}) to what happens instead. */
    static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("listeners[].tls", "TLS is not implemented yet; the listener serves cleartext"));

    private Unimplemented() {
    }

    /** One warning for each unimplemented key or value written in the file, sorted by line. */
    public static List<ConfigProblem> warnings(ProxyConfig config, SourceMap lines) {
        List<ConfigProblem> out = new ArrayList<>();
        for (String path : lines.presentPaths()) {
            String what = KEYS.get(path.replaceAll("\\[\\d+]", "[]"));
            if (what != null) {
                out.add(new ConfigProblem(path, lines.line(path), what));
            }
        }
        for (int i = 0; i < config.clusters().size(); i++) {
            ClusterConfig c = config.clusters().get(i);
            if (c.protocol() != UpstreamProtocol.HTTP1) {
                String path = "clusters[" + i + "].protocol";
                out.add(new ConfigProblem(path, lines.line(path), c.protocol().yamlName() + " upstreams are not implemented yet; using http1"));
            }
        }
        out.sort(Comparator.comparingInt(ConfigProblem::line));
        return out;
    }
}

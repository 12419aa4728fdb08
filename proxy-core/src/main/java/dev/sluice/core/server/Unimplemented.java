package dev.sluice.core.server;

import dev.sluice.config.ConfigProblem;
import dev.sluice.config.load.SourceMap;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.config.model.UpstreamProtocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The configuration keys this build parses but does not serve yet. Each one written in a file is a
 * problem, at start, on {@code --check} and on a reload, named by key and line: an h2 cluster must
 * not be spoken to in HTTP/1.1 behind the user's back. The list shrinks as the features land; a test keeps it honest.
 */
public final class Unimplemented {

    private Unimplemented() {
    }

    /** One problem for each key or value of {@code config} this build does not serve, sorted by line. */
    public static List<ConfigProblem> problems(ProxyConfig config, SourceMap lines) {
        List<ConfigProblem> out = new ArrayList<>();
        for (int i = 0; i < config.clusters().size(); i++) {
            ClusterConfig c = config.clusters().get(i);
            if (c.protocol() != UpstreamProtocol.HTTP1) {
                String path = "clusters[" + i + "].protocol";
                out.add(new ConfigProblem(path, lines.line(path),
                        c.protocol().yamlName() + " upstreams are not built yet (expected: http1)"));
            }
        }
        out.sort(Comparator.comparingInt(ConfigProblem::line));
        return out;
    }
}

package dev.sluice.perf;

import dev.sluice.core.balance.PickContext;
import dev.sluice.core.balance.RandomSource;
import dev.sluice.core.http.KeyRegion;
import dev.sluice.core.upstream.Node;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Cluster.pick} of each balancer at 3, 10 and 100 nodes, single-threaded, with a few
 * requests in flight per node so least-connections and bounded loads have something to compare
 * (consistent hashing with hot keys pays its sketch offer on every pick; no key is split here).
 * Run with {@code -prof gc}: a pick must allocate nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PickBenchmark {

    @Param({"drr", "least-connections", "consistent-hash", "consistent-hash, hash: { hotKeys: { } }", "peak-ewma", "prequal"})
    public String balancer;

    @Param({"3", "10", "100"})
    public int nodes;

    private SimCluster sim;
    private PickContext[] requests;
    private int next;

    @Setup
    public void setUp() {
        sim = new SimCluster("{ name: sim, balancer: " + balancer + " }", nodes, RandomSource.THREAD_LOCAL, 0);
        for (int i = 0; i < nodes; i++) {
            for (int k = 0; k < 1 + i % 4; k++) {
                sim.nodes.get(i).beginRequest();
            }
        }
        requests = new PickContext[1024];
        for (int i = 0; i < requests.length; i++) {
            long hash = KeyRegion.hash("user-" + i);
            requests[i] = () -> hash;
        }
    }

    @Benchmark
    public Node pick() {
        PickContext rc = requests[next++ & (requests.length - 1)];
        return sim.cluster.pick(rc);
    }
}

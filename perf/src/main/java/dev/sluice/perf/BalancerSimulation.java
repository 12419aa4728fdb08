package dev.sluice.perf;

import dev.sluice.core.http.KeyRegion;
import dev.sluice.perf.SimRun.Keys;
import dev.sluice.perf.SimRun.Outcome;
import dev.sluice.perf.SimRun.Trace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Replays traces through every balancer and reports what a user choosing one wants to know: five
 * scenarios (heterogeneous nodes; one node stalling for 2 s; one key carrying 30% of the traffic;
 * three proxy replicas each seeing only its own traffic; a node added under load), each run with
 * the real {@code Cluster}, {@code Node} and picker classes on simulated time ({@link SimRun}), so
 * the numbers are those of the code that runs in Sluice.
 *
 * <p>Run: {@code java -cp perf/target/benchmarks.jar dev.sluice.perf.BalancerSimulation [scale] [outdir]};
 * {@code scale} 1.0 is the committed report's length.
 */
public final class BalancerSimulation {

    static final long SEED = 20261203L;
    static final long SECOND = 1_000_000_000L;
    static final int KEYS = 10_000;
    static final double[] HETEROGENEOUS_MS = {10, 10, 10, 10, 10, 10, 10, 10, 20, 40};

    /** One balancer configuration; {@code replicas} above 0 and {@code loadReports} override the trace's. */
    record Balancer(String name, String yaml, int replicas, boolean loadReports) {
        Balancer(String name, String yaml) {
            this(name, yaml, 0, false);
        }

        Balancer on(int replicas, boolean loadReports) {
            return new Balancer(name + ", " + replicas + (replicas == 1 ? " replica" : " replicas")
                    + (loadReports ? " with load reports" : ""), yaml, replicas, loadReports);
        }

        Trace adapt(Trace t) {
            return replicas == 0 ? t : new Trace(t.nodes(), t.workers(), t.serviceMs(), t.perSecond(), t.requests(), t.keys(),
                    t.timeoutNanos(), t.stallNode(), t.stallFromNanos(), t.stallNanos(), replicas, loadReports, t.addNodeAtNanos());
        }
    }

    /** One scenario: its trace, the balancers it compares, and what its table is about. */
    record Scenario(String title, String description, Trace trace, List<Balancer> balancers) {
    }

    static final Balancer ROUND_ROBIN = new Balancer("round robin", "{ name: sim, balancer: drr, adaptiveWeights: { enabled: false } }");
    static final Balancer DRR = new Balancer("drr", "{ name: sim, balancer: drr }");
    static final Balancer LEAST_CONNECTIONS = new Balancer("least-connections", "{ name: sim, balancer: least-connections }");
    static final Balancer TWO_CHOICES = new Balancer("power of two choices",
            "{ name: sim, balancer: least-connections, leastConnections: { fullScanMaxNodes: 2 } }");
    static final Balancer PEAK_EWMA = new Balancer("peak-ewma", "{ name: sim, balancer: peak-ewma }");
    static final Balancer PREQUAL = new Balancer("prequal", "{ name: sim, balancer: prequal }");
    static final Balancer HASH_PLAIN = new Balancer("consistent-hash, plain",
            "{ name: sim, balancer: consistent-hash, hash: { balanceFactor: 0 } }");
    static final Balancer HASH_BOUNDED = new Balancer("consistent-hash, bounded 1.25",
            "{ name: sim, balancer: consistent-hash, hash: { balanceFactor: 1.25 } }");
    static final Balancer HASH_SPLIT = new Balancer("consistent-hash, bounded + hot-key split (3 nodes)",
            "{ name: sim, balancer: consistent-hash, hash: { balanceFactor: 1.25, hotKeys: { maxNodes: 3 } } }");
    static final Balancer PLAIN_SPLIT = new Balancer("consistent-hash, plain + hot-key split (3 nodes)",
            "{ name: sim, balancer: consistent-hash, hash: { balanceFactor: 0, hotKeys: { maxNodes: 3 } } }");
    static final Balancer PLAIN_SPLIT_5 = new Balancer("consistent-hash, plain + hot-key split (5 nodes)",
            "{ name: sim, balancer: consistent-hash, hash: { balanceFactor: 0, hotKeys: { maxNodes: 5 } } }");

    private BalancerSimulation() {
    }

    public static void main(String[] args) throws IOException {
        double scale = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        Path out = Path.of(args.length > 1 ? args[1] : "perf/simulation");
        Map<Scenario, List<Outcome>> results = runAll(scale, SEED);
        Files.createDirectories(out);
        String md = SimReport.markdown(results, scale);
        Files.writeString(out.resolve("report.md"), md);
        SimReport.chart(results, out.resolve("chart.png"));
        System.out.print(md);
    }

    static Map<Scenario, List<Outcome>> runAll(double scale, long seed) {
        Map<Scenario, List<Outcome>> results = new LinkedHashMap<>();
        for (Scenario s : scenarios(scale)) {
            List<Outcome> outcomes = new ArrayList<>();
            for (Balancer b : s.balancers()) {
                String yaml = s.trace().addNodeAtNanos() >= 0 ? b.yaml().replace("name: sim,", "name: sim, slowStart: { window: 10s },")
                        : b.yaml();
                outcomes.add(SimRun.run(b.name(), yaml, b.adapt(s.trace()), seed));
            }
            results.put(s, outcomes);
        }
        return results;
    }

    static List<Scenario> scenarios(double scale) {
        Keys zipf = zipf(1.1, false);
        Keys none = none();
        double heterogeneousRate = 0.7 * capacity(HETEROGENEOUS_MS, 4);
        List<Scenario> out = new ArrayList<>();
        out.add(new Scenario("Heterogeneous nodes",
                "Poisson arrivals at 70% of capacity, keys from Zipf(1.1) over 10,000 keys, 10 nodes with 4 workers each "
                        + "(8 serve in 10 ms on average, one in 20 ms, the slowest in 40 ms; exponential service times; excess "
                        + "work queues at the node).",
                new Trace(10, 4, HETEROGENEOUS_MS, heterogeneousRate, (int) (300_000 * scale), zipf, SECOND, -1, 0, 0, 1, false, -1),
                List.of(ROUND_ROBIN, DRR, LEAST_CONNECTIONS, TWO_CHOICES, PEAK_EWMA, PREQUAL, HASH_PLAIN, HASH_BOUNDED, HASH_SPLIT)));
        out.add(new Scenario("One node stalls for 2 s",
                "Linkerd's experiment: 11 nodes with 4 workers serving in 10 ms on average, 1,000 requests a second for "
                        + "30 s; from 10 s to 12 s one node answers nothing (what it holds finishes after the stall).",
                new Trace(11, 4, fill(11, 10), 1000, (int) (30_000 * Math.max(1, scale)), none, SECOND, 0, 10 * SECOND,
                        2 * SECOND, 1, false, -1),
                List.of(ROUND_ROBIN, DRR, LEAST_CONNECTIONS, TWO_CHOICES, PEAK_EWMA, PREQUAL)));
        out.add(new Scenario("One key carries 30% of the traffic",
                "10 nodes with 4 workers serving in 10 ms, at half their capacity (2,000 requests a second); 30% of "
                        + "requests carry one key, the rest keys from Zipf(0.8) over 10,000 keys.",
                new Trace(10, 4, fill(10, 10), 2000, (int) (100_000 * scale), hotKey(0.3), SECOND, -1, 0, 0, 1, false, -1),
                List.of(HASH_PLAIN, HASH_BOUNDED, HASH_SPLIT, PLAIN_SPLIT, PLAIN_SPLIT_5)));
        out.add(new Scenario("Three proxy replicas",
                "The heterogeneous trace (no keys) spread at random over three Sluice replicas, each with its own "
                        + "counters; with load reports, every answer carries the backend's requests in flight "
                        + "(`named_metrics.rif`).",
                new Trace(10, 4, HETEROGENEOUS_MS, heterogeneousRate, (int) (300_000 * scale), none, SECOND, -1, 0, 0, 3, false, -1),
                List.of(LEAST_CONNECTIONS.on(1, false), LEAST_CONNECTIONS.on(3, false), PEAK_EWMA.on(3, false), PREQUAL.on(1, false),
                        PREQUAL.on(3, false), PREQUAL.on(3, true))));
        out.add(new Scenario("A node added under load",
                "10 nodes with 4 workers serving in 10 ms at 60% of their capacity; an 11th joins after 10 s and "
                        + "slow-starts over 10 s; 30 s in all, keys from Zipf(1.1).",
                new Trace(11, 4, fill(11, 10), 0.6 * capacity(fill(10, 10), 4), (int) (72_000 * scale), zipf, SECOND, -1, 0, 0, 1,
                        false, 10 * SECOND),
                List.of(DRR, LEAST_CONNECTIONS, PEAK_EWMA, PREQUAL, HASH_BOUNDED)));
        return out;
    }

    static double capacity(double[] serviceMs, int workers) {
        double perSecond = 0;
        for (double ms : serviceMs) {
            perSecond += workers * 1000 / ms;
        }
        return perSecond;
    }

    static double[] fill(int n, double ms) {
        double[] a = new double[n];
        Arrays.fill(a, ms);
        return a;
    }

    private static long[] keyHashes() {
        long[] h = new long[KEYS];
        for (int k = 0; k < KEYS; k++) {
            h[k] = KeyRegion.hash("user-" + k);
        }
        return h;
    }

    static Keys none() {
        long[] hashes = keyHashes();
        return new Keys() {
            @Override
            public int next(SplittableRandom random) {
                return -1;
            }

            @Override
            public long hash(int key) {
                return hashes[key];
            }
        };
    }

    static Keys zipf(double s, boolean skipFirst) {
        long[] hashes = keyHashes();
        double[] cdf = zipfCdf(KEYS - (skipFirst ? 1 : 0), s);
        return new Keys() {
            @Override
            public int next(SplittableRandom random) {
                return zipfIndex(cdf, random.nextDouble()) + (skipFirst ? 1 : 0);
            }

            @Override
            public long hash(int key) {
                return hashes[key];
            }
        };
    }

    /** Key 0 on {@code share} of requests, the others from Zipf(0.8). */
    static Keys hotKey(double share) {
        Keys rest = zipf(0.8, true);
        return new Keys() {
            @Override
            public int next(SplittableRandom random) {
                return random.nextDouble() < share ? 0 : rest.next(random);
            }

            @Override
            public long hash(int key) {
                return rest.hash(key);
            }

            @Override
            public int hot() {
                return 0;
            }
        };
    }

    static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, s);
            cdf[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= sum;
        }
        return cdf;
    }

    static int zipfIndex(double[] cdf, double u) {
        int i = Arrays.binarySearch(cdf, u);
        return Math.min(cdf.length - 1, i < 0 ? -i - 1 : i);
    }
}

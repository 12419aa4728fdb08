package dev.sluice.perf;

import dev.sluice.core.balance.ConsistentHash;
import dev.sluice.core.balance.HashRing;
import dev.sluice.core.balance.PickContext;
import dev.sluice.core.http.KeyRegion;
import dev.sluice.core.upstream.Node;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Replays one skewed trace through every balancer and reports what a user choosing a balancer wants
 * to know. A discrete-event simulation on simulated time, driving the real {@code Cluster},
 * {@code Node} and picker classes (refreshes included), so the numbers are those of the code that
 * runs in Sluice, not of a model of it.
 *
 * <p>The trace: Poisson arrivals at 70% of the cluster's capacity; keys drawn from Zipf(1.1) over
 * 10,000 keys; 10 nodes with 4 workers each, 8 serving in 10 ms on average, one in 20 ms and one in
 * 40 ms (exponential service times); a node queues what its workers cannot take yet.
 *
 * <p>Run: {@code java -cp perf/target/benchmarks.jar dev.sluice.perf.BalancerSimulation [requests] [outdir]}.
 */
public final class BalancerSimulation {

    static final double[] SERVICE_MS = {10, 10, 10, 10, 10, 10, 10, 10, 20, 40};
    static final int WORKERS = 4;
    static final int KEYS = 10_000;
    static final double UTILISATION = 0.7;
    static final long REFRESH_NANOS = 250_000_000L;

    /** One balancer configuration to compare. */
    record Scenario(String name, String clusterYaml) {
    }

    /** What the report prints for one scenario. */
    record Result(String name, double peakToMean, double slowestShare, double p99Ms, double keysMoved) {
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("round robin (drr, adaptive off)", "{ name: sim, balancer: drr, adaptiveWeights: { enabled: false } }"),
            new Scenario("drr", "{ name: sim, balancer: drr }"),
            new Scenario("least-connections", "{ name: sim, balancer: least-connections }"),
            new Scenario("consistent-hash, plain", "{ name: sim, balancer: consistent-hash, hash: { balanceFactor: 0 } }"),
            new Scenario("consistent-hash, bounded 1.25", "{ name: sim, balancer: consistent-hash, hash: { balanceFactor: 1.25 } }"));

    private BalancerSimulation() {
    }

    public static void main(String[] args) throws IOException {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        Path out = Path.of(args.length > 1 ? args[1] : "perf/simulation");
        List<Result> results = runAll(requests, 20261122L);
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.md"), markdown(results, requests));
        chart(results, out.resolve("chart.png"));
        System.out.print(markdown(results, requests));
    }

    static List<Result> runAll(int requests, long seed) {
        List<Result> results = new ArrayList<>();
        for (Scenario s : SCENARIOS) {
            results.add(run(s, requests, seed));
        }
        return results;
    }

    static Result run(Scenario scenario, int requests, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long now = 1_000_000_000L;
        SimCluster sim = new SimCluster(scenario.clusterYaml(), SERVICE_MS.length, random::nextInt, now);
        List<Node> nodes = sim.nodes;
        long[] keyHash = new long[KEYS];
        for (int k = 0; k < KEYS; k++) {
            keyHash[k] = KeyRegion.hash("user-" + k);
        }
        double[] zipfCdf = zipfCdf(KEYS, 1.1);
        double capacityPerMs = 0;
        for (double ms : SERVICE_MS) {
            capacityPerMs += WORKERS / ms;
        }
        double meanGapNanos = 1e6 / (UTILISATION * capacityPerMs);

        int n = nodes.size();
        int[] busy = new int[n];
        List<ArrayDeque<long[]>> queues = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            queues.add(new ArrayDeque<>());
        }
        // completion events: {time, node, arrival}
        PriorityQueue<long[]> events = new PriorityQueue<>((x, y) -> Long.compare(x[0], y[0]));
        long[] latencies = new long[requests];
        int done = 0;
        int[] assigned = new int[n];
        double[] ratios = new double[requests];
        long[] hashKey = new long[1];
        PickContext rc = () -> hashKey[0];
        long nextRefresh = now + REFRESH_NANOS;

        for (int r = 0; r < requests; r++) {
            now += (long) (-Math.log(1 - random.nextDouble()) * meanGapNanos);
            while (true) {
                long nextEvent = events.isEmpty() ? Long.MAX_VALUE : events.peek()[0];
                if (nextRefresh <= now && nextRefresh <= nextEvent) {
                    sim.cluster.refresh(nextRefresh);
                    nextRefresh += REFRESH_NANOS;
                } else if (nextEvent <= now) {
                    long[] e = events.poll();
                    int i = (int) e[1];
                    long latency = e[0] - e[2];
                    latencies[done++] = latency;
                    nodes.get(i).recordResponse(latency, false);
                    nodes.get(i).endRequest();
                    long[] waiting = queues.get(i).poll();
                    if (waiting != null) {
                        events.add(new long[] {e[0] + waiting[1], i, waiting[0]});
                    } else {
                        busy[i]--;
                    }
                } else {
                    break;
                }
            }
            int key = zipf(zipfCdf, random.nextDouble());
            hashKey[0] = keyHash[key];
            Node node = sim.cluster.pick(rc);
            int i = nodes.indexOf(node);
            node.beginRequest();
            assigned[i]++;
            long service = (long) (-Math.log(1 - random.nextDouble()) * SERVICE_MS[i] * 1e6);
            if (busy[i] < WORKERS) {
                busy[i]++;
                events.add(new long[] {now + service, i, now});
            } else {
                queues.get(i).add(new long[] {now, service});
            }
            int max = 0;
            for (Node x : nodes) {
                max = Math.max(max, x.inFlight());
            }
            ratios[r] = max / (sim.inFlight.get() / (double) n);
        }
        while (!events.isEmpty()) {
            long[] e = events.poll();
            int i = (int) e[1];
            latencies[done++] = e[0] - e[2];
            nodes.get(i).endRequest();
            long[] waiting = queues.get(i).poll();
            if (waiting != null) {
                events.add(new long[] {e[0] + waiting[1], i, waiting[0]});
            }
        }
        Arrays.sort(latencies, 0, done);
        Arrays.sort(ratios);
        double keysMoved = Double.NaN;
        if (sim.cluster.hashed()) {
            keysMoved = keysMovedOnLoss(nodes, keyHash);
        }
        return new Result(scenario.name(), ratios[(int) (requests * 0.99)], assigned[n - 1] / (double) requests,
                latencies[(int) (done * 0.99)] / 1e6, keysMoved);
    }

    /** Share of keys whose owner changes when the first node leaves (ring ownership, no load). */
    static double keysMovedOnLoss(List<Node> nodes, long[] keyHash) {
        java.util.concurrent.atomic.AtomicInteger none = new java.util.concurrent.atomic.AtomicInteger();
        ConsistentHash all = new ConsistentHash(160, 0, none);
        all.newPicker(nodes, 0);
        HashRing before = all.ring();
        ConsistentHash fewer = new ConsistentHash(160, 0, none);
        fewer.newPicker(nodes.subList(1, nodes.size()), 0);
        HashRing after = fewer.ring();
        int moved = 0;
        for (long h : keyHash) {
            if (before.owner(h) != after.owner(h)) {
                moved++;
            }
        }
        return moved / (double) keyHash.length;
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

    static int zipf(double[] cdf, double u) {
        int i = Arrays.binarySearch(cdf, u);
        return Math.min(cdf.length - 1, i < 0 ? -i - 1 : i);
    }

    static String markdown(List<Result> results, int requests) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Balancer simulation\n\n");
        sb.append("Generated by `dev.sluice.perf.BalancerSimulation` (").append(requests).append(" requests per balancer, seed 20261122); ")
                .append("rerun it to refresh this page and `chart.png`.\n\n");
        sb.append("The same trace through each balancer: Poisson arrivals at 70% of capacity, keys from Zipf(1.1) over 10,000 keys, ")
                .append("10 nodes with 4 workers each (8 serve in 10 ms on average, one in 20 ms, the slowest in 40 ms; ")
                .append("exponential service times; excess work queues at the node). The real Sluice picker and weight ")
                .append("refresh (every 250 ms of simulated time) make every decision.\n\n");
        sb.append("| balancer | peak-to-mean load (p99) | slowest node's share | p99 latency | keys moved when 1 of 10 nodes leaves |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.1f%% | %.0f ms | %s |%n", r.name(), r.peakToMean(),
                    100 * r.slowestShare(), r.p99Ms(), Double.isNaN(r.keysMoved()) ? "n/a (not key-affine)"
                            : String.format(Locale.ROOT, "%.1f%%", 100 * r.keysMoved())));
        }
        sb.append("\n- **peak-to-mean load**: the busiest node's in-flight requests divided by the mean per node, ")
                .append("sampled at every arrival; the 99th percentile of those samples. 1.0 is perfectly even.\n")
                .append("- **slowest node's share**: of all requests, those sent to the 40 ms node (a fair even split is 10%; ")
                .append("by capacity it deserves 2.9%).\n")
                .append("- **p99 latency**: queueing plus service, over all requests.\n")
                .append("- **keys moved**: ring ownership before and after the first node leaves; only key-affine balancers have it.\n\n")
                .append("How to choose: `least-connections` or `drr` when requests carry no affinity (both starve the slow node ")
                .append("and keep latency low); `consistent-hash` with bounded loads when a key should stay on its node (caches, ")
                .append("sessions): it keeps most keys where they are yet caps every node near the mean, where plain hashing ")
                .append("lets the hottest key's node queue without limit.\n\n![chart](chart.png)\n");
        return sb.toString();
    }

    static void chart(List<Result> results, Path file) throws IOException {
        int w = 960;
        int h = 440;
        BufferedImage img = Charts.canvas(w, h);
        Graphics2D g = Charts.graphics(img);
        Color[] colors = {new Color(0x9e9e9e), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xd62728), new Color(0xff7f0e)};
        panel(g, results, colors, 20, "p99 latency (ms, log scale)", true, r -> r.p99Ms());
        panel(g, results, colors, 330, "peak-to-mean load (p99)", false, r -> r.peakToMean());
        panel(g, results, colors, 640, "slowest node's share (%)", false, r -> 100 * r.slowestShare());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int y = h - 70;
        for (int i = 0; i < results.size(); i++) {
            g.setColor(colors[i]);
            g.fillRect(30 + (i % 3) * 310, y + (i / 3) * 22, 14, 14);
            g.setColor(Color.DARK_GRAY);
            g.drawString(results.get(i).name(), 50 + (i % 3) * 310, y + 12 + (i / 3) * 22);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void panel(Graphics2D g, List<Result> results, Color[] colors, int x0, String title, boolean log,
            java.util.function.ToDoubleFunction<Result> value) {
        int top = 40;
        int height = 260;
        int width = 290;
        double max = 0;
        for (Result r : results) {
            max = Math.max(max, scale(value.applyAsDouble(r), log));
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(title, x0, 25);
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.LIGHT_GRAY);
        g.drawLine(x0, top + height, x0 + width, top + height);
        int bar = width / results.size() - 10;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i < results.size(); i++) {
            double v = value.applyAsDouble(results.get(i));
            int bh = (int) Math.round(height * scale(v, log) / max);
            int bx = x0 + 5 + i * (bar + 10);
            g.setColor(colors[i]);
            g.fillRect(bx, top + height - bh, bar, bh);
            g.setColor(Color.BLACK);
            g.drawString(v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v),
                    bx, top + height - bh - 4);
        }
    }

    private static double scale(double v, boolean log) {
        return log ? Math.log10(Math.max(1, v)) + 0.1 : v;
    }
}

package dev.sluice.perf;

import dev.sluice.core.balance.ConsistentHash;
import dev.sluice.core.balance.HashRing;
import dev.sluice.core.balance.PickContext;
import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.OrcaText;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of a trace through one balancer configuration, on simulated time: Poisson arrivals,
 * backends with a fixed number of workers and a queue each (exponential service times, a node may
 * stall for a while), one or more proxy replicas each with its own real {@code Cluster} and nodes
 * (so each sees only its own traffic), a client timeout, and optionally a node that joins late.
 * Every decision is the real picker's; refreshes run every 250 ms of simulated time.
 */
final class SimRun {

    static final long MS = 1_000_000L;
    static final long REFRESH_NANOS = 250 * MS;
    /** Simulated time at the start of every run; the stall's and the late node's times count from it. */
    static final long START_NANOS = 1_000_000_000L;

    /** Where one run's traffic comes from and what the backends do with it. */
    record Trace(int nodes, int workers, double[] serviceMs, double perSecond, int requests, Keys keys, long timeoutNanos,
            int stallNode, long stallFromNanos, long stallNanos, int replicas, boolean loadReports, long addNodeAtNanos) {

        Trace {
            if (serviceMs.length != nodes) {
                throw new IllegalArgumentException("serviceMs: " + serviceMs.length + " (expected: " + nodes + ")");
            }
        }

        /** The mean service time of node {@code i}. */
        double serviceMs(int i) {
            return serviceMs[i];
        }

        @Override
        public double[] serviceMs() {
            return serviceMs.clone();
        }
    }

    /** The key of each request: an index (-1 for no key) and its hash. */
    interface Keys {
        int next(SplittableRandom random);

        long hash(int key);

        /** The key that the scenario made hot, or -1. */
        default int hot() {
            return -1;
        }
    }

    /** What the report shows of one run. */
    record Outcome(String name, double p50Ms, double p99Ms, double p999Ms, double success, double peakToMeanInFlight,
            double peakToMeanRequests, double otherKeysOnOwner, double slowestShare, double keysMoved) {
    }

    private record Event(long at, int kind, int request) {
    }

    private static final int DONE = 0;
    private static final int TIMEOUT = 1;

    private SimRun() {
    }

    static Outcome run(String name, String clusterYaml, Trace t, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] clock = {START_NANOS};
        int total = t.nodes();
        int initial = t.addNodeAtNanos() >= 0 ? total - 1 : total;
        List<SimCluster> replicas = new ArrayList<>();
        List<Map<Node, Integer>> index = new ArrayList<>();
        for (int r = 0; r < t.replicas(); r++) {
            SimCluster sim = new SimCluster(clusterYaml, total, initial, random::nextInt, () -> clock[0], clock[0]);
            replicas.add(sim);
            Map<Node, Integer> idx = new IdentityHashMap<>();
            for (int i = 0; i < total; i++) {
                idx.put(sim.nodes.get(i), i);
            }
            index.add(idx);
        }
        HashRing ownerRing = ring(replicas.get(0).nodes);

        int n = t.requests();
        long[] arrival = new long[n];
        int[] nodeOf = new int[n];
        int[] replicaOf = new int[n];
        boolean[] finished = new boolean[n];
        long[] latency = new long[n];
        int[] busy = new int[total];
        int[] outstanding = new int[total];
        int[] assigned = new int[total];
        List<ArrayDeque<long[]>> queues = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            queues.add(new ArrayDeque<>());
        }
        PriorityQueue<Event> events = new PriorityQueue<>((x, y) -> Long.compare(x.at(), y.at()));
        double[] ratios = new double[n];
        int sampled = 0;
        long[] hashKey = new long[1];
        PickContext ctx = () -> hashKey[0];
        long nextRefresh = clock[0] + REFRESH_NANOS;
        boolean added = t.addNodeAtNanos() < 0;
        long otherKeys = 0;
        long otherOnOwner = 0;
        double meanGapNanos = 1e9 / t.perSecond();
        long now = clock[0];

        for (int r = 0; r <= n; r++) {
            long due = r < n ? now + (long) (-Math.log(1 - random.nextDouble()) * meanGapNanos) : Long.MAX_VALUE;
            while (true) {
                long nextEvent = events.isEmpty() ? Long.MAX_VALUE : events.peek().at();
                long joinAt = added ? Long.MAX_VALUE : START_NANOS + t.addNodeAtNanos();
                long first = Math.min(nextEvent, Math.min(nextRefresh, joinAt));
                if (first > due || (r == n && events.isEmpty())) {
                    break; // the next arrival comes first (or, after the last, nothing is left to finish)
                }
                clock[0] = first;
                if (first == joinAt) {
                    added = true;
                    for (SimCluster sim : replicas) {
                        sim.cluster.updateMembers(sim.nodes, first);
                    }
                } else if (first == nextRefresh && nextRefresh <= nextEvent) {
                    for (SimCluster sim : replicas) {
                        sim.cluster.refresh(first);
                    }
                    nextRefresh += REFRESH_NANOS;
                } else {
                    Event e = events.poll();
                    int q = e.request();
                    int i = nodeOf[q];
                    Node node = replicas.get(replicaOf[q]).nodes.get(i);
                    if (e.kind() == TIMEOUT) {
                        if (!finished[q]) {
                            finished[q] = true;
                            latency[q] = t.timeoutNanos();
                            node.recordFailure(e.at(), t.timeoutNanos());
                            node.endRequest();
                        }
                        continue;
                    }
                    outstanding[i]--;
                    long[] waiting = queues.get(i).poll();
                    if (waiting != null) {
                        events.add(new Event(completion(t, i, e.at(), waiting[1]), DONE, (int) waiting[0]));
                    } else {
                        busy[i]--;
                    }
                    if (!finished[q]) {
                        finished[q] = true;
                        latency[q] = e.at() - arrival[q];
                        if (t.loadReports()) {
                            OrcaText.parse("TEXT named_metrics.rif=" + outstanding[i], node.loadReport(), e.at());
                        }
                        node.recordResponse(e.at(), latency[q], false);
                        node.endRequest();
                    }
                }
            }
            if (r == n) {
                break;
            }
            now = due;
            clock[0] = now;
            int key = t.keys().next(random);
            hashKey[0] = key < 0 ? random.nextLong() : t.keys().hash(key);
            int rep = t.replicas() == 1 ? 0 : random.nextInt(t.replicas());
            Node node = replicas.get(rep).cluster.pick(ctx);
            int i = index.get(rep).get(node);
            node.beginRequest();
            arrival[r] = now;
            nodeOf[r] = i;
            replicaOf[r] = rep;
            assigned[i]++;
            outstanding[i]++;
            if (key >= 0 && key != t.keys().hot() && replicas.get(0).cluster.hashed()) {
                otherKeys++;
                otherOnOwner += ownerRing.owner(hashKey[0]) == replicas.get(0).nodes.get(i) ? 1 : 0;
            }
            long service = (long) (-Math.log(1 - random.nextDouble()) * t.serviceMs(i) * MS);
            if (busy[i] < t.workers()) {
                busy[i]++;
                events.add(new Event(completion(t, i, now, service), DONE, r));
            } else {
                queues.get(i).add(new long[] {r, service});
            }
            events.add(new Event(now + t.timeoutNanos(), TIMEOUT, r));
            int live = added ? total : initial;
            int max = 0;
            long sum = 0;
            for (int j = 0; j < live; j++) {
                max = Math.max(max, outstanding[j]);
                sum += outstanding[j];
            }
            if (sum > 0) {
                ratios[sampled++] = max / (sum / (double) live);
            }
        }
        long ok = 0;
        for (int r = 0; r < n; r++) {
            ok += latency[r] < t.timeoutNanos() ? 1 : 0;
        }
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        Arrays.sort(ratios, 0, sampled);
        int maxAssigned = Arrays.stream(assigned).max().orElse(0);
        double meanAssigned = n / (double) total;
        int slowest = 0;
        for (int i = 1; i < total; i++) {
            slowest = t.serviceMs(i) > t.serviceMs(slowest) ? i : slowest;
        }
        double keysMoved = replicas.get(0).cluster.hashed() ? keysMovedOnLoss(replicas.get(0).nodes, t.keys()) : Double.NaN;
        return new Outcome(name, sorted[(int) (n * 0.50)] / 1e6, sorted[(int) (n * 0.99)] / 1e6, sorted[(int) (n * 0.999)] / 1e6,
                ok / (double) n, sampled == 0 ? 1 : ratios[(int) (sampled * 0.99)], maxAssigned / meanAssigned,
                otherKeys == 0 ? Double.NaN : otherOnOwner / (double) otherKeys, assigned[slowest] / (double) n, keysMoved);
    }

    /** When work of {@code service} ns started at {@code at} on node {@code i} ends, the node's stall included. */
    static long completion(Trace t, int i, long at, long service) {
        long end = at + service;
        if (i != t.stallNode() || t.stallNanos() <= 0) {
            return end;
        }
        long a = START_NANOS + t.stallFromNanos();
        long b = a + t.stallNanos();
        if (end <= a || at >= b) {
            return end;
        }
        return b + (end - Math.max(at, a));
    }

    static HashRing ring(List<Node> nodes) {
        ConsistentHash plain = new ConsistentHash(160, 0, new AtomicInteger());
        plain.newPicker(nodes, 0);
        return plain.ring();
    }

    /** Share of 10,000 keys whose owner changes when the first node leaves (ring ownership, no load). */
    static double keysMovedOnLoss(List<Node> nodes, Keys keys) {
        HashRing before = ring(nodes);
        HashRing after = ring(nodes.subList(1, nodes.size()));
        int moved = 0;
        for (int k = 0; k < 10_000; k++) {
            long h = keys.hash(k);
            moved += before.owner(h) != after.owner(h) ? 1 : 0;
        }
        return moved / 10_000.0;
    }
}

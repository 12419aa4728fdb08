package dev.sluice.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.model.HostPort;
import dev.sluice.core.fleet.RedisStore;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RedisCluster;
import dev.sluice.core.testing.RedisServer;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.upstream.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: three Sluice replicas and a real Redis, as one front door. They share a partition's
 * limit (within 10 % of the configured rate, for a client alternating replicas and for one client
 * per replica), fall back to local buckets at rate / replicas without a 5xx when Redis dies, share
 * again when it returns, and judge hot spots on the fleet's traffic.
 */
class FleetIT {

    /** Low enough that one client on a busy 2-core machine offers several times it. */
    private static final int RATE = 50;
    private static final int BURST = 10;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper json = new ObjectMapper();

    private static TestBackend a;
    private static TestBackend b;
    private static TestBackend c;
    private static RedisServer redis;
    private static final AtomicInteger prefixes = new AtomicInteger();
    private final List<RunningSluice> replicas = new ArrayList<>();
    private final List<AdminServer> admins = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        c = TestBackend.start("c");
    }

    @AfterAll
    static void stop() throws Exception {
        for (TestBackend backend : new TestBackend[] {a, b, c}) {
            if (backend != null) {
                backend.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeReplicas() {
        admins.forEach(AdminServer::close);
        replicas.forEach(RunningSluice::close);
        admins.clear();
        replicas.clear();
    }

    /**
     * One client alternating the replicas for 3 s under tenant {@code phase}: the admitted count is
     * within 10 % of the limit, and every replica kept its share in the store throughout (no outage,
     * so not local shares that add up alike).
     */
    private void assertOneClientSharesTheLimit(String phase, String what) throws Exception {
        try (Load alternating = new Load(new int[] {0, 1, 2})) {
            double allowed = alternating.phase(phase, 3000);
            assertWithinTenPercent(allowed, alternating.admitted(phase), alternating.refused(phase), what);
            assertEquals(List.of(), alternating.unexpected);
        }
        for (RunningSluice r : replicas) {
            assertTrue(store(r).up(), store(r).lastError());
            assertEquals(0, store(r).outages(), "shared all along, not local shares that add up alike: " + store(r).lastError());
            assertTrue(store(r).leasesRequested() > 0);
        }
    }

    /** Three replicas of one configuration, each with its admin port, all announced to each other. */
    private void startReplicas() throws Exception {
        startReplicas("\"" + redis.uri() + "\"");
    }

    /** As {@link #startReplicas()}, with {@code rateLimits.redis.uri} as written. */
    private void startReplicas(String uri) throws Exception {
        String yaml = """
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0", hotSpotFactor: 1.3 }
                accessLog: { enabled: false }
                rateLimits:
                  perPartition: { key: { header: X-Tenant-Id }, rate: %d/s, burst: %d }
                  store: redis
                  redis: { uri: %s, timeout: 50ms, onFailure: local, keyPrefix: fleet%d }
                routes: [ { match: { pathPrefix: / }, cluster: keyed } ]
                clusters:
                  - name: keyed
                    balancer: consistent-hash
                    hash: { key: { header: X-User-Id }, balanceFactor: 0 }
                    backends: [ { address: "%s" }, { address: "%s" }, { address: "%s" } ]
                """.formatted(RATE, BURST, uri, prefixes.incrementAndGet(), a.address(), b.address(), c.address());
        for (int i = 0; i < 3; i++) {
            RunningSluice s = RunningSluice.start(yaml);
            replicas.add(s);
            admins.add(new AdminServer(s.server(), new HostPort("127.0.0.1", 0)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas.stream().allMatch(r -> store(r).replicaCount() == 3));
    }

    private static RedisStore store(RunningSluice r) {
        return r.server().ingress().store();
    }

    private JsonNode stats(int replica) throws Exception {
        return json.readTree(admin(replica, "/stats"));
    }

    private String admin(int replica, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + admins.get(replica).address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()).body();
    }

    /**
     * Clients sending requests back to back on keep-alive connections, counting answers by the
     * tenant sent: each thread sends to the replicas listed for it, in turn. Bounded: every thread
     * stops after a minute whatever happens.
     */
    private final class Load implements AutoCloseable {
        final AtomicReference<String> tenant = new AtomicReference<>("warm");
        final Map<String, LongAdder> admitted = new ConcurrentHashMap<>();
        final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
        final List<String> unexpected = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        volatile boolean stop;

        Load(int[]... replicasPerThread) {
            for (int[] targets : replicasPerThread) {
                Thread t = new Thread(() -> run(targets), "fleet-load");
                t.setDaemon(true);
                threads.add(t);
            }
            threads.forEach(Thread::start);
        }

        private void run(int[] targets) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            List<RawHttp> conns = new ArrayList<>();
            try {
                for (int r : targets) {
                    conns.add(new RawHttp(replicas.get(r).address()));
                }
                for (long i = 0; !stop && System.nanoTime() < deadline; i++) {
                    String t = tenant.get();
                    RawHttp.Response resp = conns.get((int) (i % conns.size()))
                            .send("GET / HTTP/1.1\r\nHost: t\r\nX-Tenant-Id: " + t + "\r\n\r\n").read();
                    if (resp.status() == 200) {
                        admitted.computeIfAbsent(t, k -> new LongAdder()).increment();
                    } else if (resp.status() == 429) {
                        refused.computeIfAbsent(t, k -> new LongAdder()).increment();
                    } else {
                        unexpected.add(resp.status() + " " + resp.body());
                    }
                }
            } catch (Exception e) {
                unexpected.add(e.toString());
            } finally {
                for (RawHttp conn : conns) {
                    try {
                        conn.close();
                    } catch (Exception ignored) {
                        // closing a test client
                    }
                }
            }
        }

        /**
         * Sends {@code name} for {@code millis} and returns the tokens the limit allows in that time:
         * burst + rate x elapsed. The window is real time because the buckets (Redis's clock) are.
         */
        double phase(String name, long millis) throws InterruptedException {
            long start = System.nanoTime();
            tenant.set(name);
            Thread.sleep(millis); // the measured window, not a wait for something to happen
            tenant.set("between-" + name);
            double seconds = (System.nanoTime() - start) / 1e9;
            return BURST + RATE * seconds;
        }

        long admitted(String name) {
            LongAdder n = admitted.get(name);
            return n == null ? 0 : n.sum();
        }

        long refused(String name) {
            LongAdder n = refused.get(name);
            return n == null ? 0 : n.sum();
        }

        @Override
        public void close() {
            stop = true;
            try {
                for (Thread t : threads) {
                    t.join(10_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void assertWithinTenPercent(double expected, long admitted, long refused, String what) {
        System.out.printf("%s: admitted %d of %d, the limit allows %.0f (%+.1f %%)%n", what, admitted, admitted + refused, expected,
                100 * (admitted - expected) / expected);
        assertTrue(refused > admitted, what + ": the load must exceed the limit (admitted " + admitted + ", refused " + refused + ")");
        assertEquals(expected, admitted, expected * 0.10,
                what + ": admitted " + admitted + " of " + (admitted + refused) + ", the limit allows " + Math.round(expected));
    }

    @Test
    void threeReplicasShareOnePartitionLimit() throws Exception {
        startReplicas();
        try (Load alternating = new Load(new int[] {0, 1, 2})) {
            double allowed = alternating.phase("alternating", 3000);
            assertWithinTenPercent(allowed, alternating.admitted("alternating"), alternating.refused("alternating"),
                    "one client alternating replicas");
            assertEquals(List.of(), alternating.unexpected);
        }
        try (Load pinned = new Load(new int[] {0}, new int[] {1}, new int[] {2})) {
            double allowed = pinned.phase("pinned", 3000);
            assertWithinTenPercent(allowed, pinned.admitted("pinned"), pinned.refused("pinned"), "one client per replica");
            assertEquals(List.of(), pinned.unexpected);
        }
        for (RunningSluice r : replicas) {
            assertTrue(store(r).leasesRequested() > 0);
            assertEquals(0, store(r).outages());
        }
        JsonNode store = stats(0).get("store");
        assertEquals("up", store.get("state").asText(), store.toString());
        assertEquals(3, store.get("replicas").size(), store.toString());
        assertEquals(redis.uri(), store.get("uri").asText());
    }

    @Test
    void aRedisClusterSharesTheLimitAsOneRedisDoes() throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            startReplicas("[ " + String.join(", ", cluster.uris().stream().map(u -> "\"" + u + "\"").toList()) + " ]");
            assertOneClientSharesTheLimit("cluster", "a Redis Cluster of three masters, one client alternating replicas");
            assertEquals(String.join(",", cluster.uris()), stats(0).get("store").get("uri").asText());
            closeReplicas(); // before the cluster stops
        }
    }

    @Test
    void aSentinelUriFindsTheMasterAndSharesTheLimit() throws Exception {
        try (RedisServer.Sentinel sentinel = redis.sentinel("edge")) {
            startReplicas("\"redis-sentinel://127.0.0.1:" + sentinel.port() + "#edge\"");
            assertOneClientSharesTheLimit("sentinel", "through a Sentinel, one client alternating replicas");
            closeReplicas(); // before the Sentinel stops
            admins.clear();
        }
    }

    @Test
    void redisDyingFallsBackToLocalSharesWithoutA5xxAndItsReturnSharesAgain() throws Exception {
        startReplicas();
        try (Load load = new Load(new int[] {0}, new int[] {1}, new int[] {2})) {
            double shared = load.phase("before", 2000);
            assertWithinTenPercent(shared, load.admitted("before"), load.refused("before"), "shared, before the outage");

            redis.kill();
            await().atMost(Duration.ofSeconds(5)).until(() -> replicas.stream().noneMatch(r -> store(r).up()));
            double local = load.phase("outage", 2000);
            // Each replica has a local bucket at rate / 3 and burst / 3: together, the configured limit again.
            assertWithinTenPercent(local, load.admitted("outage"), load.refused("outage"), "local shares, Redis down");
            JsonNode store = stats(1).get("store");
            assertEquals("down", store.get("state").asText(), store.toString());
            assertEquals(1, store.get("outages").asInt(), store.toString());
            assertFalse(store.get("lastError").asText().isEmpty(), store.toString());
            assertTrue(admin(1, "/metrics").contains("sluice_ratelimit_store_up 0.0"));

            redis.restart();
            await().atMost(Duration.ofSeconds(10)).until(() -> replicas.stream().allMatch(r -> store(r).up()));
            double again = load.phase("after", 2000);
            assertWithinTenPercent(again, load.admitted("after"), load.refused("after"), "shared again, Redis back");
            assertEquals("up", stats(2).get("store").get("state").asText());
            assertTrue(admin(2, "/metrics").contains("sluice_ratelimit_store_up 1.0"));
            assertEquals(List.of(), load.unexpected, "no 5xx, no failed request, through the outage");
        }
    }

    @Test
    void aNodeHotForTheFleetIsFlaggedByEveryReplicaThoughTwoSeeAnEvenSpread() throws Exception {
        startReplicas();
        // Keys that replica 1 and 2 spread evenly: ten that each backend owns (found by asking).
        Map<String, List<String>> owned = new HashMap<>();
        String hotNode;
        try (RawHttp probe = new RawHttp(replicas.get(1).address())) {
            for (int i = 0; owned.values().stream().mapToInt(List::size).sum() < 30 && i < 10_000; i++) {
                String owner = probe.send("GET / HTTP/1.1\r\nHost: t\r\nX-User-Id: u" + i + "\r\n\r\n").read().body();
                List<String> keys = owned.computeIfAbsent(owner, k -> new ArrayList<>());
                if (keys.size() < 10) {
                    keys.add("u" + i);
                }
            }
            hotNode = probe.send("GET / HTTP/1.1\r\nHost: t\r\nX-User-Id: celebrity\r\n\r\n").read().body();
        }
        List<String> even = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            for (List<String> keys : owned.values()) {
                even.add(keys.get(i));
            }
        }
        assertEquals(30, even.size());
        // Each replica gets a third of the traffic, 100 req/s: replica 0 all for the celebrity, the
        // others spread evenly. Fleet-wide the celebrity's node carries 100 + 33 + 33 of 300 req/s,
        // 1.67x the mean; replicas 1 and 2 each see it at 1.0x of their own mean.
        String hotAddress = (hotNode.equals("a") ? a : hotNode.equals("b") ? b : c).address();
        ScheduledExecutorService clients = Executors.newScheduledThreadPool(3);
        List<RawHttp> conns = new ArrayList<>();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        try {
            for (int r = 0; r < 3; r++) {
                RawHttp conn = new RawHttp(replicas.get(r).address());
                conns.add(conn);
                int replica = r;
                AtomicInteger sent = new AtomicInteger();
                clients.scheduleAtFixedRate(() -> {
                    int n = sent.getAndIncrement();
                    String key = replica == 0 ? "celebrity" : even.get(n % even.size());
                    try {
                        int status = conn.send("GET / HTTP/1.1\r\nHost: t\r\nX-User-Id: " + key + "\r\n\r\n").read().status();
                        if (status != 200) {
                            unexpected.add("status " + status);
                        }
                    } catch (Exception e) {
                        unexpected.add(e.toString());
                    }
                }, 0, 10, TimeUnit.MILLISECONDS);
            }
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> replicas.stream().allMatch(r -> hotNodes(r).equals(List.of(hotAddress))));

            JsonNode keyed = stats(1).get("clusters").get(0);
            assertEquals(3, keyed.get("fleetReplicas").size(), keyed.toString());
            double localMax = 0;
            double localSum = 0;
            for (JsonNode n : keyed.get("nodes")) {
                localMax = Math.max(localMax, n.get("qps10s").asDouble());
                localSum += n.get("qps10s").asDouble();
                assertEquals(n.get("address").asText().equals(hotAddress), n.get("hot").asBoolean(), n.toString());
                if (n.get("hot").asBoolean()) {
                    // The fleet's view (up to a second old) is what flagged it: above the mean by more than the cooling threshold.
                    assertTrue(n.get("fleetQps10s").asDouble() > 1.15 * keyed.get("fleetMeanQps10s").asDouble(), keyed.toString());
                }
            }
            assertTrue(localMax < 1.3 * localSum / 3, "replica 1 alone sees an even spread: " + keyed);
        } finally {
            clients.shutdownNow();
            clients.awaitTermination(10, TimeUnit.SECONDS);
            for (RawHttp conn : conns) {
                conn.close();
            }
        }
        assertEquals(List.of(), unexpected);
    }

    private static List<String> hotNodes(RunningSluice r) {
        List<String> hot = new ArrayList<>();
        for (Node n : r.server().clusters().get("keyed").nodes()) {
            if (n.hot()) {
                hot.add(n.address().toString());
            }
        }
        return hot;
    }
}

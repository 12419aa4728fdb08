package dev.sluice.core.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.ConfigException;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Twenty reloads, valid and invalid, while four clients send steady keep-alive traffic: no request
 * fails, a removed node gets no request sent after its removal, an added node ramps with the
 * (fake) clock, nodes that stay keep their statistics, and refused reloads change nothing.
 */
class ReloadIT {

    private static final int CLIENTS = 4;
    private static final String SEQ = "x-seq";

    private final FakeTicker ticker = new FakeTicker();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicInteger ok = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    /** A client saw rate-limit headers on a connection opened before the limit was configured. */
    private final AtomicBoolean limited = new AtomicBoolean();
    private final Map<String, TestBackend> backends = new java.util.LinkedHashMap<>();

    /** The configuration under test: cluster {@code c} over {@code nodes}, plus {@code extra} YAML lines. */
    private String config(String balancer, String extraListeners, String extra, String... nodes) {
        StringBuilder list = new StringBuilder();
        for (String n : nodes) {
            list.append(list.length() == 0 ? "" : ", ").append("{ address: \"").append(backends.get(n).address()).append("\" }");
        }
        return """
                listeners:
                  - { name: main, bind: "127.0.0.1:0" }
                %s
                admin: { bind: "127.0.0.1:0" }
                accessLog: { enabled: false }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters:
                  - name: c
                    balancer: %s
                    adaptiveWeights: { enabled: false, interval: 50ms }
                    slowStart: { window: 10s, minWeightPercent: 10 }
                    backends: [ %s ]
                %s
                """.formatted(extraListeners, balancer, list, extra);
    }

    private String drr(String... nodes) {
        return config("drr", "", "", nodes);
    }

    @Test
    void twentyReloadsUnderSteadyTrafficLoseNothing() throws Exception {
        for (String name : List.of("a", "b", "c", "d")) {
            backends.put(name, TestBackend.start(name));
        }
        List<Thread> clients = new ArrayList<>();
        try (RunningSluice sluice = RunningSluice.start(drr("a", "b"), ticker)) {
            for (int i = 0; i < CLIENTS; i++) {
                Thread t = new Thread(() -> client(sluice.address()), "client-" + i);
                t.start();
                clients.add(t);
            }
            traffic(200);
            int reloads = 0;
            int refused = 0;

            // 1. c joins and ramps: its share grows only as the (fake) clock moves through the 10 s window.
            reloads++;
            assertTrue(sluice.reload(drr("a", "b", "c")).contains("cluster c: node " + backends.get("c").address()
                    + " added (slow start)"));
            Node c = node(sluice, "c");
            double early = shareAfter(seq.get(), "c", 420);
            ticker.advance(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> c.slowStartFactor() > 0.4);
            double middle = shareAfter(seq.get(), "c", 420);
            ticker.advance(Duration.ofSeconds(6));
            await().atMost(Duration.ofSeconds(5)).until(() -> c.slowStartFactor() == 1.0);
            double late = shareAfter(seq.get(), "c", 420);
            assertTrue(early < 0.1 && early < middle && middle < late && late > 0.3,
                    "c's share should grow 0.05 -> 0.2 -> 0.33 across the window: " + early + ", " + middle + ", " + late);

            // 2. Not YAML at all.
            refused += refused(sluice, "listeners: [ { name: main\n", "(line ");
            // 3. a leaves: no request sent after the reload reaches it, and its connections close.
            reloads++;
            Node a = node(sluice, "a");
            sluice.reload(drr("b", "c"));
            long aLeft = seq.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0);
            // 4. A backend host that does not resolve.
            refused += refused(sluice, drr("b", "c").replace("backends: [ ", "backends: [ { address: \"nowhere.invalid:80\" }, "),
                    "clusters[0].backends[0].address");
            // 5. Another balancer rebuilds the cluster; the nodes that stay keep their statistics and ramp state.
            reloads++;
            Node bBefore = node(sluice, "b");
            Cluster before = sluice.server().clusters().get("c");
            assertTrue(sluice.reload(config("least-connections", "", "", "b", "c")).get(0).contains("rebuilt"));
            Cluster rebuilt = sluice.server().clusters().get("c");
            assertTrue(rebuilt != before, "a new balancer needs a new cluster");
            assertSame(bBefore.stats(), node(sluice, "b").stats(), "b keeps its statistics");
            assertEquals(c.slowStartSince(), node(sluice, "c").slowStartSince(), "c keeps its ramp");
            traffic(200);
            // 6. A value out of bounds.
            refused += refused(sluice, config("least-connections", "", "", "b", "c").replace("\" }", "\", weight: 0 }"),
                    "clusters[0].backends[0].weight");
            // 7. a comes back (a new node: it slow-starts).
            reloads++;
            long aBack = seq.get(); // read before: requests numbered after it may go to a once the reload is in
            sluice.reload(config("least-connections", "", "", "a", "b", "c"));
            assertTrue(node(sluice, "a").slowStartFactor() < 0.2, "a returning node ramps again");
            traffic(200);
            // 8. A key only a restart can change.
            refused += refused(sluice, "server: { eventLoopThreads: 3 }\n" + config("least-connections", "", "", "a", "b", "c"),
                    "server.eventLoopThreads (line 1)");
            // 9. A second listener opens.
            reloads++;
            String second = "  - { name: second, bind: \"127.0.0.1:0\" }";
            sluice.reload(config("least-connections", second, "", "a", "b", "c"));
            assertEquals(200, get(sluice.server().address("second")));
            // 10. b leaves.
            reloads++;
            sluice.reload(config("least-connections", second, "", "a", "c"));
            long bLeft = seq.get();
            traffic(200);
            // 11. A listener on an address in use: nothing changes, not even the listeners that could open.
            refused += refused(sluice, config("least-connections", second + "\n  - { name: third, bind: \"127.0.0.1:"
                    + backends.get("d").port() + "\" }", "", "a", "c"), "listeners[2].bind");
            // 12. d joins.
            reloads++;
            sluice.reload(config("least-connections", second, "", "a", "c", "d"));
            traffic(200);
            // 13. A generous per-IP limit applies to the next requests of the connections already open.
            reloads++;
            String limits = "rateLimits: { perIp: { rate: 100000/s, burst: 100000 } }";
            assertTrue(!limited.get());
            sluice.reload(config("least-connections", second, limits, "a", "c", "d"));
            await().atMost(Duration.ofSeconds(5)).until(limited::get);
            // 14. A key nobody knows.
            refused += refused(sluice, config("least-connections", second, limits, "a", "c", "d").replace("balancer:", "balancr:"),
                    "clusters[0].balancr");
            // 15. Back to drr, without c.
            reloads++;
            sluice.reload(config("drr", second, limits, "a", "d"));
            long cLeft = seq.get();
            traffic(200);
            // 16. A route to a cluster that does not exist.
            refused += refused(sluice, config("drr", second, limits, "a", "d").replace("cluster: c }", "cluster: nope }"),
                    "routes[0].cluster");
            // 17. b and c come back.
            reloads++;
            long bcBack = seq.get();
            sluice.reload(config("drr", second, limits, "a", "b", "c", "d"));
            traffic(200);
            // 18. The second listener moves: the old address refuses, the new one serves.
            reloads++;
            InetSocketAddress oldSecond = sluice.server().address("second");
            int port = freePort();
            String moved = "  - { name: second, bind: \"127.0.0.1:" + port + "\" }";
            assertTrue(sluice.reload(config("drr", moved, limits, "a", "b", "c", "d")).contains("listener second: moved to /127.0.0.1:" + port));
            assertEquals(200, get(new InetSocketAddress("127.0.0.1", port)));
            assertThrows(ConnectException.class, () -> new Socket(oldSecond.getAddress(), oldSecond.getPort()).close());
            // 19. It closes.
            reloads++;
            sluice.reload(config("drr", "", limits, "a", "b", "c", "d"));
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
            // 20. The same file again.
            reloads++;
            assertEquals(List.of("no changes"), sluice.reload(config("drr", "", limits, "a", "b", "c", "d")));
            traffic(200);

            stop.set(true);
            for (Thread t : clients) {
                t.join(10_000);
            }
            assertEquals(20, reloads + refused, "twenty reloads");
            assertEquals(List.of(), List.copyOf(failures), "no request failed");
            assertEquals(0, seenBetween("a", aLeft, aBack), "a got requests sent after it was removed");
            assertEquals(0, seenBetween("b", bLeft, bcBack), "b got requests sent after it was removed");
            assertEquals(0, seenBetween("c", cLeft, bcBack), "c got requests sent after it was removed");
            assertTrue(seenBetween("a", aBack, Long.MAX_VALUE) > 0 && seenBetween("d", 0, Long.MAX_VALUE) > 0);
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join(10_000);
            }
            backends.values().forEach(TestBackend::close);
        }
    }

    @Test
    void aRebuiltClusterKeepsAnUnhealthyNodeOutUntilItsChecksPassAgain() throws Exception {
        TestBackend a = TestBackend.start("a");
        TestBackend b = TestBackend.start("b");
        int bPort = b.port();
        String yaml = """
                listeners: [ { name: main, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                accessLog: { enabled: false }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters:
                  - name: c
                    adaptiveWeights: { enabled: false }
                    healthCheck: { path: /health, interval: 100ms, timeout: 100ms, healthyThreshold: 2, unhealthyThreshold: 2 }
                    timeouts: { connect: %s }
                    backends: [ { address: "%s" }, { address: "%s" } ]
                """;
        TestBackend back = null;
        try (RunningSluice sluice = RunningSluice.start(yaml.formatted("200ms", a.address(), b.address()))) {
            Node before = sluice.server().clusters().get("c").nodes().get(1);
            b.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> !before.healthy());

            sluice.reload(yaml.formatted("300ms", a.address(), b.address())); // another timeout: a rebuilt cluster
            Node after = sluice.server().clusters().get("c").nodes().get(1);
            assertTrue(after != before && !after.healthy(), "the rebuilt cluster's b starts unhealthy, as b was");
            try (RawHttp raw = new RawHttp(sluice.address())) {
                for (int i = 0; i < 20; i++) {
                    assertEquals("a", raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().body());
                }
            }
            back = TestBackend.start("b", bPort);
            await().atMost(Duration.ofSeconds(5)).until(after::healthy); // the new monitor starts from "unhealthy"
        } finally {
            a.close();
            if (back != null) {
                back.close();
            }
        }
    }

    /** One client: sequential keep-alive GETs, each stamped with the next sequence number, until told to stop. */
    private void client(InetSocketAddress address) {
        RawHttp raw = null;
        while (!stop.get()) {
            long n = seq.incrementAndGet();
            try {
                if (raw == null) {
                    raw = new RawHttp(address);
                }
                RawHttp.Response r = raw.send("GET /r HTTP/1.1\r\nHost: t\r\nX-Seq: " + n + "\r\n\r\n").read();
                if (r.header("ratelimit-limit") != null) {
                    limited.set(true);
                }
                if (r.status() == 200 && backends.containsKey(r.body())) {
                    ok.incrementAndGet();
                } else {
                    failures.add(n + ": " + r.status() + " " + r.body());
                }
                if ("close".equalsIgnoreCase(r.header("connection"))) {
                    raw.close();
                    raw = null;
                }
            } catch (IOException e) {
                failures.add(n + ": " + e);
                raw = null;
            }
        }
        try {
            if (raw != null) {
                raw.close();
            }
        } catch (IOException ignored) {
            // the test is over
        }
    }

    /** Waits until {@code n} more requests succeeded. */
    private void traffic(int n) {
        int target = ok.get() + n;
        await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= target || failures.size() > 0);
        assertEquals(List.of(), List.copyOf(failures), "no request failed");
    }

    /** The share of backend {@code name} among the {@code n} requests numbered after {@code from}, once all have arrived. */
    private double shareAfter(long from, String name, int n) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            long arrived = 0;
            for (String b : backends.keySet()) {
                arrived += seenBetween(b, from, from + n);
            }
            return arrived == n || failures.size() > 0;
        });
        assertEquals(List.of(), List.copyOf(failures), "no request failed");
        return seenBetween(name, from, from + n) / (double) n;
    }

    /** Requests backend {@code name} saw numbered in {@code (from, to]}. */
    private long seenBetween(String name, long from, long to) {
        return backends.get(name).seen().stream()
                .map(s -> s.headers().get(SEQ))
                .filter(v -> v != null)
                .mapToLong(Long::parseLong)
                .filter(v -> v > from && v <= to)
                .count();
    }

    private Node node(RunningSluice sluice, String name) {
        String address = backends.get(name).address();
        return sluice.server().clusters().get("c").nodes().stream()
                .filter(n -> n.address().toString().equals(address)).findFirst().orElseThrow();
    }

    /** A refused reload: the problem names {@code expected}, and the running configuration is the same object. */
    private int refused(RunningSluice sluice, String yaml, String expected) {
        ProxyConfig running = sluice.server().config();
        ConfigException e = assertThrows(ConfigException.class, () -> sluice.reload(yaml));
        assertTrue(e.getMessage().contains(expected), "expected a problem naming " + expected + ", got: " + e.getMessage());
        assertSame(running, sluice.server().config(), "a refused reload changes nothing");
        traffic(100);
        return 1;
    }

    private static int get(InetSocketAddress address) throws IOException {
        try (RawHttp raw = new RawHttp(address)) {
            return raw.send("GET /r HTTP/1.1\r\nHost: t\r\n\r\n").read().status();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

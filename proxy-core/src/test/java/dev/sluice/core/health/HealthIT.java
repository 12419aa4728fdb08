package dev.sluice.core.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.upstream.Node;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Health checks, slow start on recovery, fast 503s and circuit breakers against real backends that stop and fail. */
class HealthIT {

    private static String config(String cluster, String... addresses) {
        StringBuilder backends = new StringBuilder();
        for (String a : addresses) {
            backends.append(backends.length() == 0 ? "" : ", ").append("{ address: \"").append(a).append("\" }");
        }
        return """
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters:
                  - name: c
                    adaptiveWeights: { enabled: false }
                    timeouts: { connect: 200ms, response: 2s }
                    %s
                    backends: [ %s ]
                """.formatted(cluster, backends);
    }

    private static String get(RawHttp raw) throws IOException {
        RawHttp.Response r = raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
        return r.status() == 200 ? r.body() : "status " + r.status();
    }

    @Test
    void aStoppedNodeLeavesWithinItsThresholdsAndComesBackThroughSlowStart() throws Exception {
        TestBackend a = TestBackend.start("a");
        TestBackend b = TestBackend.start("b");
        TestBackend c = TestBackend.start("c");
        int port = c.port();
        String health = "healthCheck: { path: /health, interval: 200ms, timeout: 200ms, healthyThreshold: 2, unhealthyThreshold: 3 }\n"
                + "    slowStart: { window: 3s, minWeightPercent: 10 }";
        try (RunningSluice sluice = RunningSluice.start(config(health, a.address(), b.address(), c.address()));
                RawHttp raw = new RawHttp(sluice.address())) {
            Node nodeC = sluice.server().clusters().get("c").nodes().get(2);
            get(raw); // warm the connection
            c.close();
            long stopped = System.nanoTime();
            await().atMost(Duration.ofSeconds(3)).until(() -> !nodeC.healthy());
            long detectedMs = (System.nanoTime() - stopped) / 1_000_000;
            assertTrue(detectedMs < 3 * 220 + 400, "3 failed probes at 200 ms +-10% should take ~0.6 s, took " + detectedMs + " ms");
            for (int i = 0; i < 60; i++) {
                String body = get(raw);
                assertTrue(body.equals("a") || body.equals("b"), "after detection only healthy nodes are picked: " + body);
            }

            TestBackend back = TestBackend.start("c", port);
            try {
                await().atMost(Duration.ofSeconds(3)).until(nodeC::healthy);
                // The ramp: c's share in consecutive windows of the 3 s window grows toward 1/3.
                List<Double> shares = new ArrayList<>();
                long end = System.nanoTime() + 3_500_000_000L;
                while (System.nanoTime() < end) {
                    long windowEnd = System.nanoTime() + 700_000_000L;
                    int total = 0;
                    int toC = 0;
                    while (System.nanoTime() < windowEnd) {
                        total++;
                        toC += get(raw).equals("c") ? 1 : 0;
                    }
                    shares.add(toC / (double) total);
                }
                System.out.println("share of the recovered node per 0.7 s window: " + shares);
                assertTrue(shares.get(0) < 0.2, "starts low: " + shares);
                assertTrue(shares.get(shares.size() - 1) > 0.28, "ends near 1/3: " + shares);
                assertTrue(shares.get(shares.size() - 1) > shares.get(0) + 0.1, "ramps: " + shares);
            } finally {
                back.close();
            }
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void withEveryNodeDownClientsGetFast503s() throws Exception {
        TestBackend a = TestBackend.start("a");
        TestBackend b = TestBackend.start("b");
        String health = "healthCheck: { interval: 100ms, timeout: 100ms, healthyThreshold: 1, unhealthyThreshold: 2 }";
        try (RunningSluice sluice = RunningSluice.start(config(health, a.address(), b.address()));
                RawHttp raw = new RawHttp(sluice.address())) {
            a.close();
            b.close();
            await().atMost(Duration.ofSeconds(3)).until(() -> sluice.server().clusters().get("c").eligibleCount() == 0);
            long start = System.nanoTime();
            RawHttp.Response r = raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, r.status());
            assertEquals("1", r.header("retry-after"));
            assertEquals("no healthy node in cluster c\n", r.body());
            assertTrue(tookMs < 200, "took " + tookMs + " ms");
        }
    }

    @Test
    void aNodeFailingSeventyPercentTripsItsBreakerAndTrafficMovesAway() throws Exception {
        TestBackend good = TestBackend.start("good");
        TestBackend flaky = TestBackend.start("flaky").failing(70);
        String breaker = "circuitBreaker: { errorRate: 0.5, latencySlo: 1s, window: 2s, minRequests: 20, openFor: 30s }";
        try (RunningSluice sluice = RunningSluice.start(config(breaker, good.address(), flaky.address()));
                RawHttp raw = new RawHttp(sluice.address())) {
            Node flakyNode = sluice.server().clusters().get("c").nodes().get(1);
            for (int i = 0; i < 60; i++) {
                get(raw);
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> flakyNode.breaker() == Breaker.OPEN);
            int before = flaky.served();
            for (int i = 0; i < 200; i++) {
                assertEquals("good", get(raw), "an open breaker takes the node out of rotation");
            }
            assertEquals(before, flaky.served());
        } finally {
            good.close();
            flaky.close();
        }
    }
}

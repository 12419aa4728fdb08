package dev.sluice.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 3 end to end: key stickiness, and a slow node losing its share under drr and least-connections. */
class BalancingIT {

    private static final int SLOW_MS = 60;

    private static TestBackend a;
    private static TestBackend b;
    private static TestBackend c;
    private static List<WireMockServer> wiremocks = new ArrayList<>();
    private static RunningSluice sluice;
    private static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        c = TestBackend.start("c");
        for (String name : List.of("fast-1", "fast-2", "slow")) {
            WireMockServer w = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                    .containerThreads(40));
            w.start();
            w.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody(name)
                    .withFixedDelay(name.equals("slow") ? SLOW_MS : 0)));
            wiremocks.add(w);
        }
        String mocks = "[ { address: \"127.0.0.1:%d\" }, { address: \"127.0.0.1:%d\" }, { address: \"127.0.0.1:%d\" } ]"
                .formatted(wiremocks.get(0).port(), wiremocks.get(1).port(), wiremocks.get(2).port());
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                routes:
                  - { match: { pathPrefix: /sticky }, cluster: sticky }
                  - { match: { pathPrefix: /plain }, cluster: plain }
                  - { match: { pathPrefix: /drr }, cluster: drr }
                  - { match: { pathPrefix: /lc }, cluster: lc }
                clusters:
                  - name: sticky
                    balancer: consistent-hash
                    hash: { key: { header: X-User-Id }, maxKeyLength: 32 }
                    backends: [ { address: "%s" }, { address: "%s" }, { address: "%s" } ]
                  - name: plain
                    balancer: drr
                    adaptiveWeights: { enabled: false }
                    backends: %s
                  - name: drr
                    balancer: drr
                    adaptiveWeights: { halfLife: 500ms, interval: 100ms }
                    backends: %s
                  - name: lc
                    balancer: least-connections
                    backends: %s
                """.formatted(a.address(), b.address(), c.address(), mocks, mocks, mocks));
    }

    @AfterAll
    static void stop() {
        sluice.close();
        a.close();
        b.close();
        c.close();
        wiremocks.forEach(WireMockServer::stop);
    }

    @Test
    void aUserKeepsItsNodeAndUsersSpreadOverAllNodes() throws Exception {
        Map<String, String> nodeOf = new HashMap<>();
        for (int round = 0; round < 5; round++) {
            for (int user = 0; user < 60; user++) {
                String body = http.send(HttpRequest.newBuilder(sluice.uri("/sticky")).header("X-User-Id", "user-" + user).build(),
                        BodyHandlers.ofString()).body();
                String before = nodeOf.putIfAbsent("user-" + user, body);
                assertEquals(before == null ? body : before, body, "user-" + user + " moved");
            }
        }
        assertEquals(Set.of("a", "b", "c"), new HashSet<>(nodeOf.values()));
    }

    @Test
    void aBadHashKeyIs400() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            RawHttp.Response r = raw.send("GET /sticky HTTP/1.1\r\nHost: t\r\nX-User-Id: ../../etc\r\n\r\n").read();
            assertEquals(400, r.status());
            assertEquals("bad hash key in header X-User-Id (expected: 1 to 32 characters of [A-Za-z0-9._:-])\n", r.body());
            r = raw.send("GET /sticky HTTP/1.1\r\nHost: t\r\nX-User-Id: " + "x".repeat(33) + "\r\n\r\n").read();
            assertEquals(400, r.status());
            r = raw.send("GET /sticky HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(200, r.status(), "no key: placed by client IP, and the connection is still usable");
        }
    }

    /** 8 concurrent clients; the share of the slow node over the requests after a warm-up. */
    private static double slowShare(String path) throws Exception {
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (String phase : List.of("warm-up", "measured")) {
                counts.clear();
                List<Future<?>> all = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    all.add(pool.submit(() -> {
                        for (int i = 0; i < 60; i++) {
                            String body = http.send(HttpRequest.newBuilder(sluice.uri(path)).build(), BodyHandlers.ofString()).body();
                            counts.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : all) {
                    f.get();
                }
            }
        } finally {
            pool.shutdown();
        }
        int total = counts.values().stream().mapToInt(AtomicInteger::get).sum();
        assertEquals(480, total, counts.toString());
        return counts.getOrDefault("slow", new AtomicInteger()).get() / (double) total;
    }

    @Test
    void aSlowNodeGetsAClearlySmallerShareUnderDrrAndLeastConnections() throws Exception {
        double plain = slowShare("/plain");
        double drr = slowShare("/drr");
        double lc = slowShare("/lc");
        String shares = "slow node share: plain %.3f, drr %.3f, least-connections %.3f".formatted(plain, drr, lc);
        System.out.println(shares);
        assertEquals(1 / 3.0, plain, 0.02, shares);
        assertTrue(drr < 0.15, shares);
        assertTrue(lc < 0.15, shares);
    }
}

package dev.sluice.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.model.HostPort;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin port over real sockets, in front of a real Sluice and real backends. */
class AdminIT {

    private static TestBackend a;
    private static TestBackend b;
    private static TestBackend c;
    private static RunningSluice sluice;
    private static AdminServer admin;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        c = TestBackend.start("c");
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0", token: s3cret, hotSpotFactor: 1.3 }
                rateLimits:
                  perPartition: { key: { header: X-Tenant-Id }, rate: 100000/s, burst: 100000 }
                routes:
                  - { match: { pathPrefix: /even }, cluster: even }
                  - { match: { pathPrefix: /metered }, cluster: metered }
                  - { match: { pathPrefix: / }, cluster: keyed }
                clusters:
                  - name: even
                    adaptiveWeights: { enabled: false }
                    backends: [ { address: "%1$s" }, { address: "%2$s" } ]
                  - name: metered
                    backends: [ { address: "%1$s" } ]
                  - name: keyed
                    balancer: consistent-hash
                    hash: { key: { header: X-User-Id } }
                    backends: [ { address: "%1$s" }, { address: "%2$s" }, { address: "%3$s" } ]
                """.formatted(a.address(), b.address(), c.address()));
        admin = new AdminServer(sluice.server(), new HostPort("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        admin.close();
        sluice.close();
        a.close();
        b.close();
        c.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + path)).build(),
                BodyHandlers.ofString());
    }

    private static JsonNode cluster(String name) throws Exception {
        for (JsonNode cl : json.readTree(get("/stats").body()).get("clusters")) {
            if (cl.get("name").asText().equals(name)) {
                return cl;
            }
        }
        throw new AssertionError("no cluster " + name);
    }

    @Test
    void liveAndReady() throws Exception {
        assertEquals(200, get("/health/live").statusCode());
        assertEquals("ready\n", get("/health/ready").body());
        assertEquals(404, get("/nope").statusCode());
    }

    @Test
    void statsReportPerNodeQpsOfAKnownLoad() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            for (int i = 0; i < 200; i++) {
                assertEquals(200, raw.send("GET /even HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            }
        }
        // 100 requests per node, counted over the last 10 complete seconds: 10 req/s each, once the
        // second the last of them fell into is complete (they may straddle a second boundary).
        await().atMost(Duration.ofSeconds(3)).until(() -> cluster("even").get("meanQps10s").asDouble() > 9.0);
        JsonNode even = cluster("even");
        for (JsonNode n : even.get("nodes")) {
            assertEquals(10.0, n.get("qps10s").asDouble(), 1.0, n.toString());
            assertEquals(100, n.get("requests").asLong());
            assertEquals(0, n.get("inFlight").asInt());
            assertTrue(n.get("p99Ms").asDouble() > 0);
            assertEquals(1.0, n.get("effectiveWeight").asDouble(), 1e-9);
        }
        assertEquals(10.0, even.get("meanQps10s").asDouble(), 1.0, "mean as of the last refresh, a 250 ms tick later");
    }

    @Test
    void aHotKeyFlagsItsNodeAndTheFlagClearsAfter() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            for (int i = 0; i < 300; i++) {
                raw.send("GET / HTTP/1.1\r\nHost: t\r\nX-User-Id: " + (i % 4 == 0 ? "user-" + i : "celebrity") + "\r\n\r\n").read();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            int hot = 0;
            for (JsonNode n : cluster("keyed").get("nodes")) {
                hot += n.get("hot").asBoolean() ? 1 : 0;
            }
            return hot == 1;
        });
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            for (JsonNode n : cluster("keyed").get("nodes")) {
                if (n.get("hot").asBoolean()) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void postsNeedTheTokenAndDrainTurnsReadinessOff() throws Exception {
        try (AdminServer own = new AdminServer(sluice.server(), new HostPort("127.0.0.1", 0))) { // drain cannot be undone
            drain(own);
        }
    }

    private static void drain(AdminServer admin) throws Exception {
        URI drain = URI.create("http://127.0.0.1:" + admin.address().getPort() + "/drain");
        URI ready = URI.create("http://127.0.0.1:" + admin.address().getPort() + "/health/ready");
        HttpResponse<String> denied = http.send(HttpRequest.newBuilder(drain).POST(HttpRequest.BodyPublishers.noBody()).build(),
                BodyHandlers.ofString());
        assertEquals(401, denied.statusCode());
        assertFalse(admin.draining());
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(drain).header("Authorization", "Bearer nope")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode());
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(drain).header("Authorization", "Bearer s3cret")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).build(), BodyHandlers.ofString());
        assertEquals(503, r.statusCode());
        assertEquals("draining\n", r.body());
    }

    @Test
    void metricsAreParseablePrometheusTextWhoseCountersMatchTheRequestsSent() throws Exception {
        long before = counter("sluice_node_requests_total", "cluster=\"metered\"");
        try (RawHttp raw = new RawHttp(sluice.address())) {
            for (int i = 0; i < 40; i++) {
                raw.send("GET /metered HTTP/1.1\r\nHost: t\r\n\r\n").read();
            }
        }
        assertEquals(before + 40, counter("sluice_node_requests_total", "cluster=\"metered\""));
        String text = get("/metrics").body();
        for (String line : text.split("\n")) {
            assertTrue(line.isEmpty() || line.startsWith("#") || line.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*})? [-+0-9.eEnaNIf]+"),
                    "not Prometheus text: " + line);
        }
        assertTrue(text.contains("sluice_shedding_in_flight"), text);
        assertTrue(text.contains("sluice_refused_total{reason=\"ip\"}"), text);
        assertTrue(!text.contains("x-request-id") && !text.contains("user-"), "no per-request or per-key label");
    }

    /** Sum of a counter's samples whose labels contain {@code labelFilter}. */
    private static long counter(String name, String labelFilter) throws Exception {
        long sum = 0;
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + "{") && line.contains(labelFilter)) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Test
    void theHottestPartitionIsReportedFirst() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            for (int i = 0; i < 120; i++) {
                String tenant = i % 6 == 0 ? "tenant-small-" + i : "tenant-big";
                raw.send("GET /metered HTTP/1.1\r\nHost: t\r\nX-Tenant-Id: " + tenant + "\r\n\r\n").read();
            }
        }
        JsonNode top = json.readTree(get("/stats").body()).get("topPartitions");
        assertEquals("tenant-big", top.get(0).get("key").asText(), top.toString());
        assertTrue(top.get(0).get("perSecond").asDouble() > top.get(1).get("perSecond").asDouble());
    }

    @Test
    void configIsServedWithTheTokenRedacted() throws Exception {
        HttpResponse<String> r = get("/config");
        assertEquals(200, r.statusCode());
        JsonNode config = json.readTree(r.body());
        assertEquals("<redacted>", config.get("admin").get("token").asText());
        assertEquals("consistent-hash", config.get("clusters").get(2).get("balancer").asText());
        assertEquals("30s", config.get("listeners").get(0).get("requestTimeout").asText());
        assertFalse(r.body().contains("s3cret"));
    }
}

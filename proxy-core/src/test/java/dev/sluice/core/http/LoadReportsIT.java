package dev.sluice.core.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.ControlledBackend;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 end to end: two backends report their load in {@code endpoint-load-metrics}; drr weighs
 * them as A58 does (the one at 20% CPU gets four times the weight of the one at 80%, for the same
 * QPS), and no client ever sees the header.
 */
class LoadReportsIT {

    private static ControlledBackend busy;
    private static ControlledBackend idle;
    private static RunningSluice sluice;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        busy = ControlledBackend.start("busy");
        idle = ControlledBackend.start("idle");
        busy.header("Endpoint-Load-Metrics", "TEXT cpu_utilization=0.8, rps_fractional=100, named_metrics.queue=9");
        idle.header("Endpoint-Load-Metrics", "TEXT cpu_utilization=0.2, rps_fractional=100");
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                routes: [ { match: { pathPrefix: / }, cluster: reported } ]
                clusters:
                  - name: reported
                    balancer: drr
                    adaptiveWeights: { enabled: false, interval: 50ms }
                    loadReports: { blackoutPeriod: 0s }
                    backends: [ { address: "%s" }, { address: "%s" } ]
                """.formatted(busy.address(), idle.address()));
    }

    @AfterAll
    static void stop() {
        sluice.close();
        busy.close();
        idle.close();
    }

    @Test
    void reportsSteerTheWeightsAndNeverReachTheClient() throws Exception {
        send(20); // the first reports
        Cluster c = sluice.server().clusters().get("reported");
        Node busyNode = c.nodes().stream().filter(n -> n.address().toString().equals(busy.address())).findFirst().orElseThrow();
        Node idleNode = c.nodes().stream().filter(n -> n.address().toString().equals(idle.address())).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> idleNode.effectiveWeight() > 3.9 * busyNode.effectiveWeight());
        Map<String, Integer> after = send(500);
        assertEquals(400, after.get("idle"), 5, "A58: 100/0.2 against 100/0.8, so 4 to 1 (250 each without reports): " + after);
    }

    /** {@code n} requests one after another; answers per backend. Fails if a response carries the report. */
    private static Map<String, Integer> send(int n) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(sluice.uri("/")).build(), BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            Optional<String> leaked = r.headers().firstValue("endpoint-load-metrics");
            assertTrue(leaked.isEmpty(), "the load report reached the client: " + leaked);
            counts.merge(r.body(), 1, Integer::sum);
        }
        return counts;
    }
}

package dev.sluice.core.health;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.upstream.Node;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Retries over real sockets: what is retried, where, and what never is. */
class RetryIT {

    private static final String RETRIES = "retries: { attempts: 2, backoff: { base: 10ms, max: 50ms }, budgetPercent: 20 }";
    /** For tests about what is retried rather than how much: the budget is RetryBudgetTest's subject. */
    private static final String GENEROUS = "retries: { attempts: 2, backoff: { base: 10ms, max: 50ms }, budgetPercent: 100 }";

    private static String config(String extra, String backends) {
        return config(RETRIES, extra, backends);
    }

    private static String config(String retries, String extra, String backends) {
        return """
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters:
                  - name: c
                    adaptiveWeights: { enabled: false }
                    timeouts: { connect: 200ms, response: 2s }
                    %s
                    %s
                    backends: [ %s ]
                """.formatted(retries, extra, backends);
    }

    @Test
    void killingOneOfThreeBackendsUnderSteadyLoadCostsNoClientARequest() throws Exception {
        TestBackend a = TestBackend.start("a");
        TestBackend b = TestBackend.start("b");
        TestBackend c = TestBackend.start("c");
        // Passive ejection takes the dead node out after three refused connects; the health checks confirm it.
        String health = "healthCheck: { interval: 200ms, timeout: 200ms, healthyThreshold: 2, unhealthyThreshold: 2 }\n"
                + "    outlierDetection: { consecutiveFailures: 3, baseEjection: 30s }";
        String backends = "{ address: \"%s\" }, { address: \"%s\" }, { address: \"%s\" }".formatted(a.address(), b.address(), c.address());
        try (RunningSluice sluice = RunningSluice.start(config(health, backends)); RawHttp raw = new RawHttp(sluice.address())) {
            Node nodeC = sluice.server().clusters().get("c").nodes().get(2);
            Map<String, Integer> answers = new HashMap<>();
            long killAt = System.nanoTime() + 500_000_000L;
            long end = killAt + 1_500_000_000L;
            boolean killed = false;
            long detectedAt = 0;
            while (System.nanoTime() < end) {
                if (!killed && System.nanoTime() >= killAt) {
                    c.close();
                    killed = true;
                }
                if (killed && detectedAt == 0 && (!nodeC.healthy() || nodeC.ejected())) {
                    detectedAt = System.nanoTime();
                }
                RawHttp.Response r = raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
                answers.merge(r.status() == 200 ? "ok" : "status " + r.status() + " " + r.body(), 1, Integer::sum);
            }
            assertEquals(1, answers.size(), "every request succeeded: " + answers);
            assertTrue(detectedAt > 0, "c was taken out (ejected or marked unhealthy)");
            assertTrue((detectedAt - killAt) / 1_000_000 < 1200, "out within two 200 ms checks plus jitter");
            assertTrue(sluice.server().clusters().get("c").retriesIssued() > 0, "the requests that met the dead node were retried");
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * A POST that reached a node which then closed without answering may have been acted on: it
     * is not retried unless it carries an Idempotency-Key. (One that never reached a node, a
     * refused connect, is sent to another: ConnectStormIT.)
     */
    @Test
    void postsThatReachedANodeAreNeverRetriedUnlessTheyCarryAnIdempotencyKey() throws Exception {
        TestBackend live = TestBackend.start("live");
        RawOrigin hangsUp = RawOrigin.start().respondWith(r -> null); // reads the request, then closes
        String backends = "{ address: \"%s\" }, { address: \"%s\" }".formatted(hangsUp.address(), live.address());
        try (RunningSluice sluice = RunningSluice.start(config(GENEROUS, "", backends)); RawHttp raw = new RawHttp(sluice.address())) {
            int getFailures = 0;
            int postFailures = 0;
            int keyedFailures = 0;
            for (int i = 0; i < 20; i++) {
                getFailures += raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status() == 200 ? 0 : 1;
                try (RawHttp once = new RawHttp(sluice.address())) { // a failed POST closes its connection
                    RawHttp.Response post = once.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi").read();
                    postFailures += post.status() == 502 ? 1 : 0;
                }
                try (RawHttp once = new RawHttp(sluice.address())) {
                    keyedFailures += once.send("POST / HTTP/1.1\r\nHost: t\r\nIdempotency-Key: k" + i
                            + "\r\nContent-Length: 2\r\n\r\nhi").read().status() == 200 ? 0 : 1;
                }
            }
            assertEquals(0, getFailures, "GETs are retried on the live node");
            assertTrue(postFailures >= 5, "half the POSTs meet the node that hangs up and are not retried: " + postFailures);
            assertEquals(0, keyedFailures, "POSTs with an Idempotency-Key are retried, body and all");
        } finally {
            live.close();
            hangsUp.close();
        }
    }

    @Test
    void aServiceUnavailableAnswerIsRetriedOnAnotherNodeWhichSeesTheAttempt() throws Exception {
        WireMockServer unavailable = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        unavailable.start();
        unavailable.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withBody("busy")));
        TestBackend good = TestBackend.start("good");
        String backends = "{ address: \"127.0.0.1:%d\" }, { address: \"%s\" }".formatted(unavailable.port(), good.address());
        try (RunningSluice sluice = RunningSluice.start(config(GENEROUS, "", backends)); RawHttp raw = new RawHttp(sluice.address())) {
            for (int i = 0; i < 10; i++) {
                RawHttp.Response r = raw.send("GET /headers HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(200, r.status(), r.body());
            }
            assertTrue(good.seen().stream().anyMatch(s -> "2".equals(s.headers().get("x-sluice-attempt"))),
                    "the retried attempt is marked");
            await().atMost(Duration.ofSeconds(2)).until(() -> sluice.server().clusters().get("c").nodes().get(0).inFlight() == 0);
        } finally {
            unavailable.stop();
            good.close();
        }
    }
}

package dev.sluice.core.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.balance.HotKeys;
import dev.sluice.core.metrics.Snapshots;
import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.upstream.Cluster;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 end to end: through a real Sluice on a driven clock, a user key carrying half the
 * traffic of a four-node consistent-hash cluster is split over three backends (each answer says
 * so in {@code X-Sluice-Pick}, and {@code /stats}' snapshot lists it), and collapses back to its
 * owner once it cools.
 */
class HotKeysIT {

    private final FakeTicker ticker = new FakeTicker();
    private final List<TestBackend> backends = new ArrayList<>();
    private RunningSluice sluice;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private int user;

    @BeforeEach
    void start() throws Exception {
        for (String name : List.of("a", "b", "c", "d")) {
            backends.add(TestBackend.start(name));
        }
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                routes: [ { match: { pathPrefix: / }, cluster: users } ]
                clusters:
                  - name: users
                    balancer: consistent-hash
                    hash: { key: { header: X-User-Id }, hotKeys: { spreadAbove: 0.5, maxNodes: 3 } }
                    adaptiveWeights: { interval: 20ms }
                    debugHeaders: true
                    backends: [ { address: "%s" }, { address: "%s" }, { address: "%s" }, { address: "%s" } ]
                """.formatted(backends.get(0).address(), backends.get(1).address(), backends.get(2).address(),
                backends.get(3).address()), ticker);
    }

    @AfterEach
    void stop() {
        sluice.close();
        backends.forEach(TestBackend::close);
    }

    @Test
    void aHotKeyIsSplitOverThreeBackendsAndCollapsesWhenItCools() throws Exception {
        Cluster users = sluice.server().clusters().get("users");
        String owner = send("celebrity").body();
        for (int s = 0; s < 5; s++) {
            traffic(100, 0.5); // a second of traffic, half of it for one user
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> users.hotKeys().split(KeyRegion.hash("celebrity")) != null);

        Map<String, Integer> spread = new HashMap<>();
        for (int i = 0; i < 90; i++) {
            HttpResponse<String> r = send("celebrity");
            assertEquals("hot-key-split", rule(r), r.headers().firstValue("x-sluice-pick").orElse(""));
            spread.merge(r.body(), 1, Integer::sum);
        }
        assertEquals(3, spread.size(), "over three of the four backends: " + spread);
        spread.values().forEach(n -> assertEquals(30, n, 20, "about a third each: " + spread));
        assertEquals(true, spread.containsKey(owner), "its owner is one of them");
        HotKeys.SplitKey shown = Snapshots.of(users, ticker.nanoTime()).splitKeys().get(0);
        assertEquals("celebrity", shown.key());
        assertEquals(3, shown.nodes().size());

        for (int s = 0; s < 8; s++) {
            traffic(100, 0.0); // it cools: everybody else goes on, four decay times of the sketch
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> users.hotKeys().split(KeyRegion.hash("celebrity")) == null);
        Map<String, Integer> after = new HashMap<>();
        for (int i = 0; i < 400; i++) { // 5% of the traffic now: below the line of 12.5%
            HttpResponse<String> r = send(i % 20 == 0 ? "celebrity" : "user-" + user++);
            if (i % 20 == 0) {
                assertEquals("weight", rule(r));
                after.merge(r.body(), 1, Integer::sum);
            }
        }
        assertEquals(Map.of(owner, 20), after, "back on its owner");
        assertEquals(Set.of(), Set.copyOf(Snapshots.of(users, ticker.nanoTime()).splitKeys()));
    }

    /** {@code n} requests, {@code hotShare} of them for the hot user, the rest for fresh users; then one second passes. */
    private void traffic(int n, double hotShare) throws Exception {
        for (int i = 0; i < n; i++) {
            send(i < n * hotShare ? "celebrity" : "user-" + user++);
        }
        ticker.advance(Duration.ofSeconds(1));
    }

    private HttpResponse<String> send(String userId) throws Exception {
        return http.send(HttpRequest.newBuilder(sluice.uri("/")).header("X-User-Id", userId).build(), BodyHandlers.ofString());
    }

    private static String rule(HttpResponse<?> r) {
        String pick = r.headers().firstValue("x-sluice-pick").orElseThrow();
        for (String part : pick.split(";")) {
            if (part.startsWith("rule=")) {
                return part.substring(5);
            }
        }
        throw new AssertionError(pick);
    }
}

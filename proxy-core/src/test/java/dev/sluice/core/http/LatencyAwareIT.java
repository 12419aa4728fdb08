package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.ControlledBackend;
import dev.sluice.core.testing.RunningSluice;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14 end to end: under steady load from 8 clients, one of four backends stalls; peak-ewma and
 * prequal send it almost nothing while the other three serve 600 requests. Round robin, for
 * contrast, sends it a quarter of the traffic, so the same load cannot finish without it.
 */
class LatencyAwareIT {

    private static final int CLIENTS = 8;
    private static final int SERVED_DURING_STALL = 600;

    private static final List<ControlledBackend> backends = new ArrayList<>();
    private static RunningSluice sluice;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        for (String name : List.of("a", "b", "c", "stalls")) {
            backends.add(ControlledBackend.start(name));
        }
        StringBuilder list = new StringBuilder("[ ");
        for (ControlledBackend b : backends) {
            list.append(list.length() > 2 ? ", " : "").append("{ address: \"").append(b.address()).append("\" }");
        }
        list.append(" ]");
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                routes:
                  - { match: { pathPrefix: /peak-ewma }, cluster: peak-ewma }
                  - { match: { pathPrefix: /prequal }, cluster: prequal }
                  - { match: { pathPrefix: /round-robin }, cluster: round-robin }
                clusters:
                  - { name: peak-ewma, balancer: peak-ewma, timeouts: { response: 60s }, backends: %1$s }
                  - { name: prequal, balancer: prequal, timeouts: { response: 60s }, backends: %1$s }
                  - { name: round-robin, balancer: drr, adaptiveWeights: { enabled: false }, timeouts: { response: 60s }, backends: %1$s }
                """.formatted(list));
    }

    @AfterAll
    static void stop() {
        backends.forEach(ControlledBackend::release);
        sluice.close();
        backends.forEach(ControlledBackend::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"peak-ewma", "prequal"})
    void aStallingBackendGetsAlmostNothing(String balancer) throws Exception {
        ControlledBackend stalls = backends.get(3);
        assertEquals(400, load("/" + balancer, 400, null).elsewhere(), "warm-up: every node answers, estimates are real");
        stalls.stall();
        Phase p = load("/" + balancer, SERVED_DURING_STALL, stalls);
        assertEquals(SERVED_DURING_STALL, p.elsewhere());
        assertTrue(p.atStalled() <= CLIENTS / 2, balancer + " sent the stalled backend " + p.atStalled() + " requests");
    }

    @Test
    void roundRobinKeepsSendingItAQuarter() throws Exception {
        ControlledBackend stalls = backends.get(3);
        stalls.stall();
        Phase p = load("/round-robin", SERVED_DURING_STALL, stalls);
        assertTrue(p.atStalled() >= CLIENTS, "every client ends up waiting on it: " + p.atStalled());
        assertTrue(p.elsewhere() < SERVED_DURING_STALL, "so the load cannot finish: " + p.elsewhere());
    }

    /** Answers from nodes other than the stalled one, and requests that reached the stalled one. */
    record Phase(int elsewhere, int atStalled) {
    }

    /**
     * {@link #CLIENTS} clients send requests back to back until {@code target} answers came from
     * nodes other than {@code stalled}, or every client waits on it, or 10 s pass (clients stuck on
     * the stalled node stay stuck until the end, when it is released).
     */
    private static Phase load(String path, int target, ControlledBackend stalled) throws Exception {
        AtomicInteger answered = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            for (int t = 0; t < CLIENTS; t++) {
                pool.submit(() -> {
                    while (!stop.get()) {
                        String body = http.send(HttpRequest.newBuilder(sluice.uri(path)).timeout(Duration.ofSeconds(30)).build(),
                                BodyHandlers.ofString()).body();
                        if ((stalled == null || !body.equals(stalled.name())) && answered.incrementAndGet() >= target) {
                            stop.set(true);
                        }
                    }
                    return null;
                });
            }
            pool.shutdown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!stop.get() && System.nanoTime() < deadline && (stalled == null || stalled.arrivedDuringStall() < CLIENTS)) {
                pool.awaitTermination(20, TimeUnit.MILLISECONDS);
            }
            stop.set(true);
            int atStalled = stalled == null ? 0 : stalled.arrivedDuringStall();
            if (stalled != null) {
                stalled.release(); // the stuck clients finish
            }
            pool.awaitTermination(30, TimeUnit.SECONDS);
            return new Phase(Math.min(answered.get(), target), atStalled);
        } finally {
            pool.shutdownNow();
        }
    }
}

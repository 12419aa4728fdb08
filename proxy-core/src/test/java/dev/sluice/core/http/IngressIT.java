package dev.sluice.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 4 end to end: rate limits and shedding over real sockets. */
class IngressIT {

    private static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static String config(String protections, String backendAddress) {
        return """
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                %s
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                """.formatted(protections, backendAddress);
    }

    @Test
    void oneIpBurstingThreeTimesItsBurstGetsExactlyBurstThen429s() throws Exception {
        try (RunningSluice sluice = RunningSluice.start(config("rateLimits: { perIp: { rate: 1/s, burst: 20 } }", backend.address()));
                RawHttp raw = new RawHttp(sluice.address())) {
            int ok = 0;
            RawHttp.Response refused = null;
            for (int i = 0; i < 60; i++) {
                RawHttp.Response r = raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
                if (r.status() == 200) {
                    ok++;
                    assertEquals("20", r.header("ratelimit-limit"));
                    assertTrue(Integer.parseInt(r.header("x-ratelimit-remaining")) < 20);
                } else {
                    assertEquals(429, r.status(), r.body());
                    refused = r;
                }
            }
            assertTrue(ok >= 20 && ok <= 21, ok + " allowed");
            assertEquals("rate limited: ip\n", refused.body());
            assertTrue(Long.parseLong(refused.header("retry-after")) >= 1);
            assertEquals("20", refused.header("ratelimit-limit"));
            assertEquals("0", refused.header("ratelimit-remaining"));
            assertTrue(Long.parseLong(refused.header("ratelimit-reset")) >= 19, refused.headers().toString());
            assertEquals(refused.header("ratelimit-reset"), refused.header("x-ratelimit-reset"));
            assertEquals("20", refused.header("x-ratelimit-limit"));
            assertTrue(refused.header("x-request-id") != null);
            // The access log names the refusal; lines are written off the event loop.
            var log = sluice.server().ingress().accessLog();
            await().until(() -> log.written() >= 60);
            assertEquals(0, log.dropped());
        }
    }

    @Test
    void aFloodingTenantNeverCostsAnotherTenantARequest() throws Exception {
        String limits = """
                rateLimits:
                  perPartition: { key: { header: X-Tenant-Id }, rate: 1/s, burst: 10, maxKeyLength: 16,
                                  overrides: { big: { rate: 1/s, burst: 40 } } }
                """;
        try (RunningSluice sluice = RunningSluice.start(config(limits, backend.address()));
                RawHttp a = new RawHttp(sluice.address()); RawHttp b = new RawHttp(sluice.address())) {
            int aRefused = 0;
            for (int i = 0; i < 100; i++) {
                RawHttp.Response ra = a.send("GET / HTTP/1.1\r\nHost: t\r\nX-Tenant-Id: tenant-a\r\n\r\n").read();
                aRefused += ra.status() == 429 ? 1 : 0;
                if (i % 10 == 0) {
                    RawHttp.Response rb = b.send("GET / HTTP/1.1\r\nHost: t\r\nX-Tenant-Id: tenant-b\r\n\r\n").read();
                    assertEquals(200, rb.status(), "tenant-b refused while tenant-a floods: " + rb.body());
                }
                if (ra.status() == 429) {
                    assertEquals("rate limited: partition tenant-a\n", ra.body());
                }
            }
            assertTrue(aRefused >= 89, aRefused + " refused");
            int big = 0;
            for (int i = 0; i < 60; i++) {
                big += a.send("GET / HTTP/1.1\r\nHost: t\r\nX-Tenant-Id: big\r\n\r\n").read().status() == 200 ? 1 : 0;
            }
            assertTrue(big >= 40 && big <= 41, "override burst 40, got " + big);
            assertEquals(200, a.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status(), "no key: IP limits only (none here)");
            RawHttp.Response bad = a.send("GET / HTTP/1.1\r\nHost: t\r\nX-Tenant-Id: a b\r\n\r\n").read();
            assertEquals(400, bad.status());
            assertEquals("bad partition key in header X-Tenant-Id (expected: 1 to 16 characters of [A-Za-z0-9._:-])\n", bad.body());
            assertEquals(400, a.send("GET / HTTP/1.1\r\nHost: t\r\nX-Tenant-Id: " + "t".repeat(17) + "\r\n\r\n").read().status());
        }
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnBucket() throws Exception {
        String limits = """
                server: { trustedProxies: [ 127.0.0.0/8 ] }
                rateLimits: { perIp: { rate: 1/s, burst: 2 } }
                """;
        try (RunningSluice sluice = RunningSluice.start(config(limits, backend.address()));
                RawHttp c = new RawHttp(sluice.address())) {
            for (String client : new String[] {"198.51.100.1", "198.51.100.2"}) {
                for (int i = 0; i < 2; i++) {
                    RawHttp.Response r = c.send("GET /headers HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: " + client + "\r\n\r\n").read();
                    assertEquals(200, r.status(), client + " request " + i);
                    assertTrue(r.body().contains("x-forwarded-for: " + client + ", 127.0.0.1\n"), r.body());
                }
                assertEquals(429, c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: " + client + "\r\n\r\n").read().status());
            }
            // A spoofed entry left of an untrusted one does not help: the right-most untrusted entry counts.
            assertEquals(429, c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 203.0.113.77, 198.51.100.1\r\n\r\n").read().status());
        }
    }

    @Test
    void maxInFlightTenAdmitsTenOfFiftyAndRefusesTheRestFast() throws Exception {
        WireMockServer slow = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(40));
        slow.start();
        slow.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("slow").withFixedDelay(1500)));
        try (RunningSluice sluice = RunningSluice.start(config("shedding: { maxInFlight: 10 }", "127.0.0.1:" + slow.port()))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            long[] took = new long[50];
            for (int i = 0; i < 50; i++) {
                int k = i;
                long start = System.nanoTime();
                all.add(client.sendAsync(HttpRequest.newBuilder(sluice.uri("/")).build(), BodyHandlers.ofString())
                        .whenComplete((r, e) -> took[k] = System.nanoTime() - start));
            }
            int ok = 0;
            int refused = 0;
            for (int i = 0; i < 50; i++) {
                HttpResponse<String> r = all.get(i).get();
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertEquals(429, r.statusCode());
                    assertEquals("overloaded\n", r.body());
                    assertEquals("1", r.headers().firstValue("retry-after").orElseThrow());
                    assertTrue(took[i] < 1_000_000_000L, "a refusal must not wait for the slow backend: " + took[i] / 1_000_000 + " ms");
                    refused++;
                }
            }
            assertEquals(10, ok);
            assertEquals(40, refused);
            await().until(() -> sluice.server().ingress().shedding().inFlight() == 0);
        } finally {
            slow.stop();
        }
    }
}

package dev.sluice.core.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.H2Backend;
import dev.sluice.core.testing.H2Client;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code protocol: h2} end to end: HTTP/1.1 clients through Sluice to real HTTP/2 backends (h2c
 * prior knowledge), with trailers both ways, a backend's stream limit, and GOAWAY.
 */
class H2UpstreamIT {

    private static RunningSluice sluice(H2Backend... backends) throws Exception {
        StringBuilder list = new StringBuilder();
        for (H2Backend b : backends) {
            list.append(list.length() == 0 ? "" : ", ").append("{ address: \"").append(b.address()).append("\" }");
        }
        return RunningSluice.start("""
                server: { eventLoopThreads: 1 }
                listeners: [ { name: edge, bind: "127.0.0.1:0", maxConnections: 1000 } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: h2 } ]
                clusters: [ { name: h2, protocol: h2, backends: [ %s ] } ]
                """.formatted(list));
    }

    @Test
    void trailersGoBothWaysBetweenAChunkedHttp11ClientAndAnH2Backend() throws Exception {
        try (H2Backend b = H2Backend.start("b", 100); RunningSluice sluice = sluice(b); RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\n\r\n"
                    + "5\r\nhello\r\n0\r\nX-Request-Trailer: sent\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals(H2Backend.body("b", "hello"), r.body());
            assertEquals("chunked", r.header("transfer-encoding"), "an h2 body without a length is chunked to HTTP/1.1");
            assertEquals("b", r.trailer("x-backend-trailer"), "the response's trailers reach the client");
            assertEquals("sent", r.trailer("x-echoed-trailer"));
            assertEquals(List.of("sent"), List.copyOf(b.requestTrailers()), "the request's trailers reach the backend");
            assertEquals(null, r.header("x-http2-stream-id"), "nothing of Netty's HTTP/2 conversion leaks");
            // The same client connection goes on: the stream ended, the HTTP/1.1 connection did not.
            assertEquals(200, c.send("GET /again HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
        }
    }

    @Test
    void aBackendLimitedToTenStreamsAnswersAHundredConcurrentRequestsOverMoreConnections() throws Exception {
        try (H2Backend b = H2Backend.start("b", 10); RunningSluice sluice = sluice(b)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(client.sendAsync(HttpRequest.newBuilder(sluice.uri("/slow?delay=200")).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> r = call.join();
                assertEquals(200, r.statusCode(), r.body());
            }
            assertEquals(100, b.served());
            assertTrue(b.maxOpenStreams() <= 10, "never more streams on a connection than the backend allows: " + b.maxOpenStreams());
            assertTrue(b.connections() >= 2, "more connections once the first was full: " + b.connections());
        }
    }

    @Test
    void afterABackendsGoAwayNewRequestsGoToAFreshConnection() throws Exception {
        try (H2Backend b = H2Backend.start("b", 100).goAwayAfter(3); RunningSluice sluice = sluice(b); RawHttp c = new RawHttp(sluice.address())) {
            for (int i = 0; i < 10; i++) {
                RawHttp.Response r = c.send("GET /n HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(200, r.status(), "request " + i + ": " + r.body());
            }
            assertTrue(b.connections() >= 4, "a connection per three streams: " + b.connections());
        }
    }

    @Test
    void aHundredStreamsOfOneHttp2ClientToABackendLimitedToTenAreAllAnswered() throws Exception {
        try (H2Backend b = H2Backend.start("b", 10); RunningSluice sluice = sluice(b); H2Client client = new H2Client(sluice.address())) {
            List<CompletableFuture<H2Client.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(client.get("/slow?delay=100"));
            }
            for (CompletableFuture<H2Client.Response> call : calls) {
                assertEquals(200, call.get(30, TimeUnit.SECONDS).status());
            }
            assertTrue(b.maxOpenStreams() <= 10, "at most ten at once per connection: " + b.maxOpenStreams());
        }
    }

    /**
     * Both requests are streams of one upstream connection (one event loop, one node). The client
     * that reads nothing holds back its own stream only: the other's 32 MiB pass.
     */
    @Test
    void aClientThatReadsNothingSlowsItsOwnStreamNotTheConnection() throws Exception {
        try (H2Backend b = H2Backend.start("b", 100); RunningSluice sluice = sluice(b);
                Socket stalled = new Socket("127.0.0.1", sluice.address().getPort())) {
            stalled.setReceiveBufferSize(4096);
            stalled.getOutputStream().write("GET /big?size=33554432 HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            stalled.getOutputStream().flush();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<byte[]> r = client.sendAsync(HttpRequest.newBuilder(sluice.uri("/big?size=33554432")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals(32 << 20, r.body().length, "the reading client got everything while the other read nothing");
            assertEquals(1, b.connections(), "both were streams of one connection");
        }
    }
}

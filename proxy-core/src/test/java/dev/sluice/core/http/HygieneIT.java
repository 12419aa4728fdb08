package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/** Malformed, oversized and slow requests over raw sockets: each answered as stated, and the connection closed. */
class HygieneIT {

    private static TestBackend backend;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b");
        sluice = RunningSluice.start("""
                listeners:
                  - { name: test, bind: "127.0.0.1:0", maxHeaderBytes: 2KiB, maxRequestBodyBytes: 1KiB,
                      headerTimeout: 1s, requestTimeout: 2s }
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, timeouts: { response: 10s }, backends: [ { address: "%s" } ] } ]
                """.formatted(backend.address()));
    }

    @AfterAll
    static void stop() {
        sluice.close();
        backend.close();
    }

    private static void answeredAndClosed(String raw, int status, String bodyStart) throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send(raw).read();
            assertEquals(status, r.status(), r.body());
            assertTrue(r.body().startsWith(bodyStart), r.body());
            assertTrue(c.closedByPeer(), "connection left open after " + status);
        }
    }

    static Stream<Arguments> malformedHeads() {
        return Stream.of(
                Arguments.of("header without colon", "GET / HTTP/1.1\r\nHost: t\r\nX-Broken\r\n\r\n"),
                Arguments.of("NUL in a header", "GET / HTTP/1.1\r\nHost: t\r\nX: a\u0000b\r\n\r\n"),
                Arguments.of("bare CR in a header", "GET / HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n"),
                Arguments.of("differing Content-Length", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
                Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost: t\r\nX : a\r\n\r\n"),
                Arguments.of("Content-Length with Transfer-Encoding",
                        "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding other than chunked", "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nhello"),
                Arguments.of("chunked twice", "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("obs-fold", "GET / HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n b\r\n\r\n"));
    }

    /** Found by the README's malformed-input table: refusals after the head was read had no X-Request-Id. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedReadHeads")
    void aRefusalOfAReadHeadCarriesTheRequestId(String shape, String raw) throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send(raw).read();
            assertTrue(r.status() >= 400, r.toString());
            assertEquals("client-id-1", r.header("x-request-id"), "the client's sane id is returned: " + r);
        }
    }

    static Stream<Arguments> refusedReadHeads() {
        String id = "X-Request-Id: client-id-1\r\n";
        return Stream.of(
                Arguments.of("two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + id + "\r\n"),
                Arguments.of("Connection naming Host", "GET / HTTP/1.1\r\nHost: t\r\nConnection: host\r\n" + id + "\r\n"),
                Arguments.of("malformed escape", "GET /a%zz HTTP/1.1\r\nHost: t\r\n" + id + "\r\n"),
                Arguments.of("Expect other than 100-continue", "POST / HTTP/1.1\r\nHost: t\r\nExpect: x\r\n" + id
                        + "Content-Length: 1\r\n\r\n"),
                Arguments.of("declared body over the limit", "POST / HTTP/1.1\r\nHost: t\r\n" + id + "Content-Length: 5000\r\n\r\n"));
    }

    /** The guard follows framing: a pipelined request after a body is checked too, the good one before it served. */
    @Test
    void aSmugglingShapeAfterAGoodPipelinedRequestIsRefusedInOrder() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n"
                    + "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nwxyz"
                    + "GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n\tfolded\r\n\r\n");
            assertEquals("bytes=3 crc=891568578", c.read().body());
            assertEquals(200, c.read().status());
            RawHttp.Response refused = c.read();
            assertEquals(400, refused.status());
            assertEquals("malformed request: obs-fold (a header line continued on the next line)\n", refused.body());
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void aHeadArrivingInPiecesIsHeldThenPassedOn() throws Exception {
        try (RawHttp c = new RawHttp(sluice.address())) {
            c.send("GET / HT");
            c.send("TP/1.1\r\nHo");
            c.send("st: t\r\n");
            c.send("\r\n");
            assertEquals(200, c.read().status());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeads")
    void malformedHeadIs400(String name, String raw) throws IOException {
        answeredAndClosed(raw, 400, "malformed request");
    }

    @Test
    void badChunkSizeIs400() throws IOException {
        answeredAndClosed("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
                400, "malformed request body");
    }

    @Test
    void headersOverMaxHeaderBytesAre431() throws IOException {
        answeredAndClosed("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "x".repeat(3000) + "\r\n\r\n", 431, "request headers too large");
    }

    @Test
    void declaredBodyOverTheLimitIs413BeforeForwarding() throws IOException {
        int before = backend.seen().size();
        answeredAndClosed("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n", 413,
                "request body of 2000 bytes exceeds 1024");
        assertEquals(before, backend.seen().size(), "a refused body must not reach the backend");
    }

    @Test
    void streamingBodyCrossingTheLimitIs413() throws IOException {
        String chunk = "200\r\n" + "y".repeat(512) + "\r\n";
        answeredAndClosed("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + chunk + "0\r\n\r\n",
                413, "request body exceeds 1024 bytes");
    }

    @Test
    void slowlorisIsCutAtTheHeaderTimeout() throws Exception {
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (RawHttp c = new RawHttp(sluice.address())) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\n");
            long start = System.nanoTime();
            trickle.scheduleAtFixedRate(() -> {
                try {
                    c.send("X");
                } catch (IOException e) {
                    throw new IllegalStateException(e); // closed by Sluice: stop trickling
                }
            }, 200, 200, TimeUnit.MILLISECONDS);
            RawHttp.Response r = c.read();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(408, r.status());
            assertEquals("request head not received within 1000ms (headerTimeout)\n", r.body());
            assertTrue(tookMs < 3000, "cut after " + tookMs + " ms");
            assertTrue(c.closedByPeer());
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void bodyNotArrivingWithinTheRequestTimeoutIs408() throws IOException {
        answeredAndClosed("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly-a-little", 408,
                "request not received within 2000ms (requestTimeout)");
    }

    @Test
    void responseNotCompletedWithinTheRequestTimeoutIs504() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(504, r.status());
            assertEquals("request not completed within 2000ms (requestTimeout)\n", r.body());
        }
        assertEquals(0, sluice.server().clusters().get("c").nodes().get(0).inFlight());
        assertTrue(sluice.server().clusters().get("c").timeouts(dev.sluice.core.upstream.Cluster.Timeout.REQUEST) >= 1);
    }

    @Test
    void aConnectionThatAnsweredAFourOhFourStillHasItsHeaderTimeout() throws Exception {
        try (RawHttp c = new RawHttp(sluice.address())) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ");
            RawHttp.Response r = c.read();
            assertEquals(408, r.status());
        }
    }
}

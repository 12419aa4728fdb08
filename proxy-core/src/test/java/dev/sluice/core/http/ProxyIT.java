package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.H2Client;
import dev.sluice.core.testing.Payloads;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 2 end to end: a real Sluice, real backends on loopback, real clients. */
class ProxyIT {

    private static final long TEN_MIB = 10L << 20;

    private static TestBackend a;
    private static TestBackend b;
    private static TestBackend c;
    private static int closedPort;
    private static RunningSluice sluice;
    private static HttpClient http1;

    @BeforeAll
    static void start() throws Exception {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        c = TestBackend.start("c");
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens here once closed: connect is refused
        }
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0", requestTimeout: 120s, maxRequestBodyBytes: 2GiB } ]
                admin: { bind: "127.0.0.1:0" }
                routes:
                  - { match: { pathPrefix: /weighted }, cluster: weighted }
                  - { match: { pathPrefix: /refused }, cluster: refused }
                  - { match: { pathPrefix: /empty }, cluster: empty }
                  - { match: { pathPrefix: /slow }, cluster: slow }
                  - { match: { host: "*.example.test", pathPrefix: / }, cluster: weighted }
                  - { match: { pathPrefix: / }, cluster: equal }
                clusters:
                  - name: equal
                    adaptiveWeights: { enabled: false }   # these tests check the rotation itself
                    backends: [ { address: "%s" }, { address: "%s" }, { address: "%s" } ]
                  - name: weighted
                    adaptiveWeights: { enabled: false }
                    backends: [ { address: "%s", weight: 1 }, { address: "%s", weight: 1 }, { address: "%s", weight: 2 } ]
                  - name: refused
                    backends: [ { address: "127.0.0.1:%d" } ]
                  - name: empty
                    backends: []
                  - name: slow
                    timeouts: { response: 300ms }
                    backends: [ { address: "%s" } ]
                """.formatted(a.address(), b.address(), c.address(), a.address(), b.address(), c.address(),
                closedPort, a.address()));
        http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        sluice.close();
        a.close();
        b.close();
        c.close();
    }

    private static Map<String, Integer> spread(String path, int n) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = http1.send(HttpRequest.newBuilder(sluice.uri(path)).build(), BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            counts.merge(r.body(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void threeEqualBackendsShare300Requests() throws Exception {
        Map<String, Integer> counts = spread("/", 300);
        assertEquals(3, counts.size(), counts.toString());
        for (int n : counts.values()) {
            assertTrue(Math.abs(n - 100) <= 5, counts.toString());
        }
    }

    @Test
    void weightsOneOneTwoGiveQuarterQuarterHalf() throws Exception {
        Map<String, Integer> counts = spread("/weighted", 400);
        assertTrue(Math.abs(counts.get("a") - 100) <= 12, counts.toString());
        assertTrue(Math.abs(counts.get("b") - 100) <= 12, counts.toString());
        assertTrue(Math.abs(counts.get("c") - 200) <= 12, counts.toString());
    }

    @Test
    void hostSuffixRouteMatches() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            raw.send("GET /x HTTP/1.1\r\nHost: api.example.test:80\r\n\r\n");
            assertEquals(200, raw.read().status());
        }
    }

    @Test
    void tenMebibyteUploadWithContentLengthArrivesIdentical() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(sluice.uri("/upload"))
                .POST(BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> new PayloadStream(TEN_MIB)), TEN_MIB))
                .build();
        HttpResponse<String> r = http1.send(req, BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("bytes=" + TEN_MIB + " crc=" + Payloads.crc(TEN_MIB), r.body());
    }

    /**
     * A 1 GiB body passes through in a JVM whose heap and direct memory are capped at 512 MiB
     * (see test.argLine): only a streaming proxy can do that.
     */
    @Test
    void oneGibibyteUploadStreamsThroughBoundedMemory() throws Exception {
        long size = 1L << 30;
        HttpRequest req = HttpRequest.newBuilder(sluice.uri("/upload"))
                .POST(BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> new PayloadStream(size)), size))
                .build();
        HttpResponse<String> r = http1.send(req, BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("bytes=" + size + " crc=" + Payloads.crc(size), r.body());
        assertTrue(Runtime.getRuntime().maxMemory() < size, "the test only proves streaming with a heap below the body size");
    }

    @Test
    void chunkedUploadArrivesIdentical() throws Exception {
        long size = 3 * 1024 * 1024 + 17;
        HttpRequest req = HttpRequest.newBuilder(sluice.uri("/upload"))
                .POST(BodyPublishers.ofInputStream(() -> new PayloadStream(size))) // unknown length: chunked
                .build();
        HttpResponse<String> r = http1.send(req, BodyHandlers.ofString());
        assertEquals("bytes=" + size + " crc=" + Payloads.crc(size), r.body());
        TestBackend.Seen seen = a.seen().stream().filter(s -> s.uri().equals("/upload")).reduce((x, y) -> y)
                .orElseGet(() -> b.seen().stream().filter(s -> s.uri().equals("/upload")).reduce((x, y) -> y)
                        .orElseGet(() -> c.seen().stream().filter(s -> s.uri().equals("/upload")).reduce((x, y) -> y).orElseThrow()));
        assertNotNull(seen);
    }

    @Test
    void tenMebibyteDownloadsArriveIdentical() throws Exception {
        for (String framing : List.of("false", "true")) {
            HttpResponse<InputStream> r = http1.send(
                    HttpRequest.newBuilder(sluice.uri("/download?size=" + TEN_MIB + "&chunked=" + framing)).build(),
                    BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            CRC32 crc = new CRC32();
            long n = 0;
            try (InputStream in = r.body()) {
                byte[] buf = new byte[64 * 1024];
                int k;
                while ((k = in.read(buf)) > 0) {
                    crc.update(buf, 0, k);
                    n += k;
                }
            }
            assertEquals(TEN_MIB, n, "chunked=" + framing);
            assertEquals(Payloads.crc(TEN_MIB), crc.getValue(), "chunked=" + framing);
            assertEquals(framing.equals("true"), r.headers().firstValue("content-length").isEmpty());
        }
    }

    @Test
    void keepAliveReusesUpstreamConnections() throws Exception {
        int before = a.connectionsAccepted() + b.connectionsAccepted() + c.connectionsAccepted();
        try (RawHttp raw = new RawHttp(sluice.address())) {
            for (int i = 0; i < 300; i++) {
                raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
                assertEquals(200, raw.read().status());
            }
        }
        int opened = a.connectionsAccepted() + b.connectionsAccepted() + c.connectionsAccepted() - before;
        assertTrue(opened <= 3 * 2, "300 sequential requests opened " + opened + " upstream connections");
    }

    @Test
    void h2cPriorKnowledgeServes100ConcurrentStreamsOnOneConnection() throws Exception {
        try (H2Client h2 = new H2Client(sluice.address())) {
            List<CompletableFuture<H2Client.Response>> all = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                all.add(h2.get("/?i=" + i));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);
            Map<String, Integer> counts = new HashMap<>();
            for (CompletableFuture<H2Client.Response> f : all) {
                H2Client.Response r = f.get();
                assertEquals(200, r.status());
                assertNotNull(r.headers().get("x-request-id"));
                counts.merge(r.body(), 1, Integer::sum);
            }
            assertEquals(3, counts.size(), counts.toString());
            assertTrue(h2.isOpen());
        }
    }

    @Test
    void h2cUpgradeIsAccepted() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(sluice.uri("/headers")).build(), BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        // The upgraded request is replayed as HTTP/2 stream 1, so it is forwarded as an HTTP/2 request.
        assertTrue(r.body().contains("via: 2 sluice\n"), r.body());
        HttpResponse<String> second = h2.send(HttpRequest.newBuilder(sluice.uri("/")).build(), BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, second.version());
        assertEquals(200, second.statusCode());
    }

    @Test
    void hopByHopHeadersAreStrippedAndForwardingHeadersAdded() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            raw.send("""
                    GET /headers HTTP/1.1\r
                    Host: shop.test:8080\r
                    Connection: keep-alive, X-Hop\r
                    X-Hop: secret\r
                    Keep-Alive: timeout=5\r
                    Proxy-Connection: keep-alive\r
                    Proxy-Authorization: Basic Zm9vOmJhcg==\r
                    TE: trailers, deflate\r
                    X-Forwarded-For: 203.0.113.9\r
                    X-Request-Id: client-id-42\r
                    X-Kept: yes\r
                    \r
                    """);
            RawHttp.Response r = raw.read();
            assertEquals(200, r.status());
            String seen = r.body();
            for (String gone : List.of("connection:", "x-hop:", "keep-alive:", "proxy-connection:", "proxy-authorization:")) {
                assertFalse(seen.contains(gone), gone + " reached the backend:\n" + seen);
            }
            assertTrue(seen.contains("te: trailers\n"), seen);
            assertTrue(seen.contains("x-kept: yes\n"), seen);
            assertTrue(seen.contains("x-forwarded-for: 203.0.113.9, 127.0.0.1\n"), seen);
            assertTrue(seen.contains("x-forwarded-proto: http\n"), seen);
            assertTrue(seen.contains("x-forwarded-host: shop.test:8080\n"), seen);
            assertTrue(seen.contains("x-request-id: client-id-42\n"), seen);
            assertTrue(seen.contains("via: 1.1 sluice\n"), seen);
            assertEquals("client-id-42", r.header("x-request-id"));
            // and on the way back
            assertEquals(null, r.header("x-secret"));
            assertEquals(null, r.header("keep-alive"));
            assertEquals(null, r.header("proxy-authenticate"));
            assertEquals("1.1 sluice", r.header("via"));
        }
    }

    @Test
    void insaneRequestIdIsReplaced() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            raw.send("GET /headers HTTP/1.1\r\nHost: t\r\nX-Request-Id: <script>\r\n\r\n");
            RawHttp.Response r = raw.read();
            String id = r.header("x-request-id");
            assertTrue(id.matches("[0-9a-f]{32}"), id);
            assertTrue(r.body().contains("x-request-id: " + id + "\n"), r.body());
        }
    }

    @Test
    void headAnd204And304CarryNoBodyAndKeepTheConnectionUsable() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            raw.send("HEAD /download?size=100 HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response head = raw.readHead();
            assertEquals(200, head.status());
            assertEquals("100", head.header("content-length"));
            for (int code : new int[] {204, 304}) {
                raw.send("GET /status/" + code + " HTTP/1.1\r\nHost: t\r\n\r\n");
                RawHttp.Response r = raw.read();
                assertEquals(code, r.status());
                assertEquals(null, r.header("transfer-encoding"));
            }
            raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response after = raw.read();
            assertEquals(200, after.status());
            assertTrue(List.of("a", "b", "c").contains(after.body()), after.body());
        }
    }

    @Test
    void noRouteIs404WithReasonAndRequestId() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            // The catch-all "/" route takes every path; only the asterisk form matches no prefix.
            raw.send("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response r = raw.read();
            assertEquals(404, r.status());
            assertEquals("no route for host t path *\n", r.body());
            assertNotNull(r.header("x-request-id"));
            raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, raw.read().status(), "the connection stays usable after a 404");
        }
    }

    @Test
    void refusedConnectIs502() throws Exception {
        HttpResponse<String> r = http1.send(HttpRequest.newBuilder(sluice.uri("/refused")).build(), BodyHandlers.ofString());
        assertEquals(502, r.statusCode());
        assertEquals("connect to 127.0.0.1:" + closedPort + " failed: connection refused (no other node to retry on)\n", r.body(),
                "a request that never reached a node is offered to another, and this cluster has none");
        assertTrue(r.headers().firstValue("x-request-id").isPresent());
    }

    @Test
    void emptyClusterIs503() throws Exception {
        HttpResponse<String> r = http1.send(HttpRequest.newBuilder(sluice.uri("/empty")).build(), BodyHandlers.ofString());
        assertEquals(503, r.statusCode());
        assertEquals("no healthy node in cluster empty\n", r.body());
    }

    @Test
    void responseTimeoutIs504AndTheNodeIsReleased() throws Exception {
        HttpResponse<String> r = http1.send(HttpRequest.newBuilder(sluice.uri("/slow/hang")).build(), BodyHandlers.ofString());
        assertEquals(504, r.statusCode());
        assertTrue(r.body().startsWith("upstream 127.0.0.1:" + a.port() + " sent no response within 300ms"), r.body());
        assertEquals(0, sluice.server().clusters().get("slow").nodes().get(0).inFlight());
        assertTrue(sluice.server().clusters().get("slow").timeouts(dev.sluice.core.upstream.Cluster.Timeout.RESPONSE) >= 1);
    }

    @Test
    void malformedHeadIs400AndClosed() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            raw.send("GET / HTTP/1.1\r\nHost t\r\n\r\n");
            RawHttp.Response r = raw.read();
            assertEquals(400, r.status());
            assertTrue(raw.closedByPeer());
        }
    }

    /** The deterministic payload as a stream, generated as it is read. */
    private static final class PayloadStream extends InputStream {
        private final long size;
        private long off;

        PayloadStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return off < size ? Payloads.byteAt(off++) & 0xff : -1;
        }

        @Override
        public int read(byte[] dst, int at, int len) throws IOException {
            if (off >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - off);
            for (int i = 0; i < n; i++) {
                dst[at + i] = Payloads.byteAt(off + i);
            }
            off += n;
            return n;
        }
    }
}

package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10, defect 1: a {@code Connection} header must not make Sluice drop a header it framed or
 * routed the request by. Raw sockets against a real Sluice and a raw recording origin, which reads
 * a smuggled request as a request of its own.
 */
class SmugglingIT {

    private static RawOrigin origin;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        origin = RawOrigin.start();
        sluice = RunningSluice.start("""
                server: { eventLoopThreads: 1 }   # one loop, one pool: the victim borrows the attacker's upstream connection
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                rateLimits:
                  perPartition: { key: { header: X-Tenant-Id }, rate: 1000/s, burst: 1000 }
                routes:
                  - { match: { pathPrefix: /hashed }, cluster: hashed }
                  - { match: { pathPrefix: / }, cluster: c }
                clusters:
                  - { name: c, backends: [ { address: "%s" } ] }
                  - { name: hashed, balancer: consistent-hash, hash: { key: { header: X-User-Id } },
                      backends: [ { address: "%s" } ] }
                """.formatted(origin.address(), origin.address()));
    }

    @AfterAll
    static void stop() throws IOException {
        sluice.close();
        origin.close();
    }

    @BeforeEach
    void forget() {
        origin.clear();
    }

    static Stream<Arguments> namedEndToEndHeaders() {
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n";
        return Stream.of(
                Arguments.of("Content-Length", "POST / HTTP/1.1\r\nHost: t\r\nConnection: content-length\r\nContent-Length: "
                        + smuggled.length() + "\r\n\r\n" + smuggled),
                Arguments.of("Transfer-Encoding", "POST / HTTP/1.1\r\nHost: t\r\nConnection: keep-alive, Transfer-Encoding\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(smuggled.length()) + "\r\n" + smuggled + "\r\n0\r\n\r\n"),
                Arguments.of("Host", "GET / HTTP/1.1\r\nHost: t\r\nConnection: host\r\n\r\n"),
                Arguments.of("Content-Length after a tab", "POST / HTTP/1.1\r\nHost: t\r\nConnection: keep-alive,\tcontent-length\r\n"
                        + "Content-Length: " + smuggled.length() + "\r\n\r\n" + smuggled),
                Arguments.of("the partition key", "GET / HTTP/1.1\r\nHost: t\r\nX-Tenant-Id: big\r\nConnection: x-tenant-id\r\n\r\n"),
                Arguments.of("a hash key", "GET /hashed HTTP/1.1\r\nHost: t\r\nX-User-Id: u1\r\nConnection: X-User-Id\r\n\r\n"));
    }

    @ParameterizedTest(name = "Connection naming {0}")
    @MethodSource("namedEndToEndHeaders")
    void aConnectionHeaderNamingAHeaderSluiceNeedsIs400AndNothingReachesTheOrigin(String name, String raw) throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send(raw).read();
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().startsWith("malformed request: Connection names"), r.body());
            assertTrue(c.closedByPeer(), "the connection must close after the 400");
        }
        assertEquals(List.of(), origin.received(), "nothing of a refused request may reach the origin");
    }

    /** The next client on the pooled upstream connection gets its own answer, never the smuggled request's. */
    @Test
    void theNextClientGetsItsOwnResponse() throws IOException {
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n";
        try (RawHttp attacker = new RawHttp(sluice.address())) {
            attacker.send("POST / HTTP/1.1\r\nHost: t\r\nConnection: content-length\r\nContent-Length: " + smuggled.length()
                    + "\r\n\r\n" + smuggled).read();
        }
        try (RawHttp victim = new RawHttp(sluice.address())) {
            RawHttp.Response r = victim.send("GET /victim HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertTrue(r.body().endsWith("GET /victim"), r.body());
        }
        for (RawOrigin.Received r : origin.received()) {
            assertEquals("/victim", r.target(), "the origin read a request no client sent: " + origin.rawText());
        }
    }

    /** Connection may still name real hop-by-hop headers; they go, and the request is framed as it arrived. */
    @Test
    void ordinaryConnectionOptionsStillWork() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("POST /upload HTTP/1.1\r\nHost: t\r\nConnection: keep-alive, x-hop\r\nX-Hop: 1\r\n"
                    + "Content-Length: 5\r\n\r\nhello").read();
            assertEquals(200, r.status(), r.body());
        }
        RawOrigin.Received got = origin.received().get(0);
        assertEquals("hello", got.bodyText());
        assertEquals(List.of("5"), got.headers("content-length"));
        assertEquals(List.of(), got.headers("x-hop"));
        assertEquals(List.of(), got.headers("connection"));
    }
}

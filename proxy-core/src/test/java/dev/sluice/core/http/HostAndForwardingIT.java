package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.H2Client;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10, defects 3 and 4: the Host a request is routed by is the one the origin receives, the
 * absolute form is routed by its authority, and every {@code X-Forwarded-For} line counts.
 */
class HostAndForwardingIT {

    private static RawOrigin origin;
    private static RawOrigin other;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        origin = RawOrigin.start();
        other = RawOrigin.start();
        sluice = RunningSluice.start("""
                server: { trustedProxies: [ 127.0.0.1/32 ] }
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                rateLimits: { perIp: { rate: 1/h, burst: 1 } }
                routes:
                  - { match: { host: a.example }, cluster: a }
                  - { match: { pathPrefix: / }, cluster: rest }
                clusters:
                  - { name: a, backends: [ { address: "%s" } ] }
                  - { name: rest, backends: [ { address: "%s" } ] }
                """.formatted(origin.address(), other.address()));
    }

    @AfterAll
    static void stop() throws IOException {
        sluice.close();
        origin.close();
        other.close();
    }

    @BeforeEach
    void forget() {
        origin.clear();
        other.clear();
    }

    /** Each case comes from a client IP of its own, so the per-IP bucket (one request) never refuses it. */
    private static String from(int n) {
        return "X-Forwarded-For: 10.0.0." + n + "\r\n";
    }

    static Stream<Arguments> badHosts() {
        return Stream.of(
                Arguments.of(1, "two Host lines", "Host: a.example\r\nHost: b.example\r\n"),
                Arguments.of(2, "the same Host twice", "Host: a.example\r\nHost: a.example\r\n"),
                Arguments.of(3, "a list", "Host: a.example, b.example\r\n"),
                Arguments.of(4, "a path", "Host: a.example/x\r\n"),
                Arguments.of(5, "user info", "Host: user@a.example\r\n"),
                Arguments.of(6, "a bad port", "Host: a.example:80x\r\n"),
                Arguments.of(7, "empty", "Host: \r\n"),
                Arguments.of(8, "none (HTTP/1.1)", ""));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badHosts")
    void aMissingDuplicateOrInvalidHostIs400(int n, String name, String hostLines) throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\n" + hostLines + from(n) + "\r\n").read();
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().startsWith("malformed request:"), r.body());
            assertTrue(c.closedByPeer());
        }
        assertEquals(List.of(), origin.received());
        assertEquals(List.of(), other.received());
    }

    @Test
    void anAbsoluteFormTargetIsRoutedByItsAuthorityWhichReplacesHost() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("GET http://a.example/x?q=1 HTTP/1.1\r\nHost: elsewhere\r\n" + from(101) + "\r\n").read();
            assertEquals(200, r.status(), r.body());
        }
        RawOrigin.Received got = origin.received().get(0);
        assertEquals("/x?q=1", got.target(), "sent on in origin form");
        assertEquals(List.of("a.example"), got.headers("host"));
        assertEquals(List.of("a.example"), got.headers("x-forwarded-host"));
    }

    @Test
    void anHttp2HostDifferingFromAuthorityIs400AndAnEqualOneIsSentOnce() throws Exception {
        try (H2Client h2 = new H2Client(sluice.address())) {
            var differing = H2Client.get("/", "a.example", "b.example").add("x-forwarded-for", "10.0.0.102");
            assertEquals(400, h2.sendHeaders(differing).get(5, TimeUnit.SECONDS).status());
            var same = H2Client.get("/", "a.example", "a.example").add("x-forwarded-for", "10.0.0.103");
            assertEquals(200, h2.sendHeaders(same).get(5, TimeUnit.SECONDS).status());
        }
        assertEquals(1, origin.received().size(), "only the consistent request reaches the origin");
        assertEquals(List.of("a.example"), origin.received().get(0).headers("host"));
    }

    /**
     * A trusted proxy that adds its own X-Forwarded-For line after the client's: the client IP is
     * read from all lines in order, so the line the client wrote cannot pick its own bucket.
     */
    @Test
    void everyForwardedForLineCountsForTheClientIpAndIsForwarded() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response first = c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 6.6.6.1\r\n"
                    + "X-Forwarded-For: 9.9.9.9\r\n\r\n").read();
            assertEquals(200, first.status(), first.body());
            RawHttp.Response second = c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 6.6.6.2\r\n"
                    + "X-Forwarded-For: 9.9.9.9\r\n\r\n").read();
            assertEquals(429, second.status(), "the same client behind the proxy, whatever its own line says");
        }
        assertEquals(List.of("6.6.6.1, 9.9.9.9, 127.0.0.1"), other.received().get(0).headers("x-forwarded-for"));
    }
}

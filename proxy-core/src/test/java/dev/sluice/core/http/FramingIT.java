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
 * Issue 10, defects 2 and 5: request framing read strictly, over raw sockets against a raw
 * recording origin. Whatever Sluice accepts reaches the origin as exactly one request; whatever it
 * cannot frame for certain is answered and the connection closed, and nothing after it is read as
 * a request.
 */
class FramingIT {

    private static RawOrigin origin;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        origin = RawOrigin.start();
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0", maxRequestBodyBytes: 1KiB } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                """.formatted(origin.address()));
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

    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n";

    private static void refusedAndClosed(String raw, int status) throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send(raw).read();
            assertEquals(status, r.status(), r.body());
            assertTrue(c.closedByPeer(), "the connection must close after " + status);
        }
        for (RawOrigin.Received r : origin.received()) {
            assertTrue(!r.target().equals("/smuggled"), "the origin read a request the client never sent: " + origin.rawText());
        }
    }

    static Stream<Arguments> chunkSizesThatDoNotFit() {
        return Stream.of(
                Arguments.of("17 hex digits (2^64)", "10000000000000000"),
                Arguments.of("19 hex digits, 5 modulo 2^64", "1000000000000000005"),
                Arguments.of("2^32, which a 32-bit parse reads as 0", "100000000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkSizesThatDoNotFit")
    void aChunkSizeThatDoesNotFitIsRefused(String name, String size) throws IOException {
        refusedAndClosed("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\n\r\n" + SMUGGLED
                + "0\r\n\r\n", size.length() > 16 ? 400 : 413);
    }

    @Test
    void aChunkOverTheRemainingBodyLimitIs413AtItsSizeLine() throws IOException {
        refusedAndClosed("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n" + "x".repeat(512)
                + "\r\n201\r\n", 413);
    }

    @Test
    void leadingZerosInAChunkSizeAreFine() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "00000000000000000000005\r\nhello\r\n0000\r\n\r\n").read();
            assertEquals(200, r.status(), r.body());
        }
        assertEquals("hello", origin.received().get(0).bodyText());
    }

    static Stream<Arguments> validExtensions() {
        return Stream.of(Arguments.of("5;foo=bar"), Arguments.of("5 ; foo = bar"), Arguments.of("5;foo"),
                Arguments.of("5;a=\"quoted; \\\"value\\\"\";b"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validExtensions")
    void chunkExtensionsAreIgnored(String sizeLine) throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + sizeLine + "\r\nhello\r\n0;last=1\r\n\r\n").read();
            assertEquals(200, r.status(), r.body());
        }
        RawOrigin.Received got = origin.received().get(0);
        assertEquals("hello", got.bodyText());
        assertTrue(!origin.rawText().contains("foo"), "extensions are not sent on: " + origin.rawText());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("a control byte in the target", "GET /a\u0001b HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("DEL in the target", "GET /a\u007fb HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("a non-ASCII byte in the target", "GET /a\u00ffb HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("Content-Length as a list", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5, 5\r\n\r\nhello"),
                Arguments.of("a bad chunk extension", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;foo=b\"ar\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("a bare LF after chunk data", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\n0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFramingIs400(String name, String raw) throws IOException {
        refusedAndClosed(raw, 400);
        assertEquals(List.of(), origin.received(), "nothing of a malformed request may reach the origin");
    }

    @Test
    void http10KeepAliveIsHonoured() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response first = c.send("GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertEquals(200, first.status());
            assertEquals("keep-alive", first.header("connection"));
            RawHttp.Response second = c.send("GET /two HTTP/1.0\r\n\r\n").read();
            assertTrue(second.body().endsWith("GET /two"), second.body());
            assertTrue(c.closedByPeer(), "an HTTP/1.0 request without keep-alive ends the connection");
        }
    }

    /** A request after one that said {@code Connection: close} is not the origin's to see. */
    @Test
    void nothingAfterAConnectionCloseRequestIsForwarded() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    + "GET /after HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(200, r.status());
            assertTrue(c.closedByPeer());
        }
        assertEquals(List.of("/last"), origin.received().stream().map(RawOrigin.Received::target).toList());
    }

    /** Found by the fuzz test: an HTTP/1.0 request without keep-alive ends the connection; the next one is not forwarded. */
    @Test
    void nothingAfterAnHttp10RequestWithoutKeepAliveIsForwarded() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("PUT /last HTTP/1.0\r\nHost: t\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(200, r.status());
            assertTrue(c.closedByPeer());
        }
        assertEquals(List.of("/last"), origin.received().stream().map(RawOrigin.Received::target).toList());
    }

    /** Found by the fuzz test: a request after one that asked for an h2c upgrade in vain was ended without an answer. */
    @Test
    void aRequestAfterAFailedUpgradeIsServed() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            c.send("GET /one HTTP/1.1\r\nHost: t\r\nUpgrade: h2c\r\n\r\nGET /two HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(c.read().body().endsWith("GET /one"));
            assertTrue(c.read().body().endsWith("GET /two"));
        }
    }

    /** Found by the fuzz test: a request with a body and Upgrade: h2c was aggregated for the upgrade, and lost its trailers. */
    @Test
    void aRequestWithABodyIsNotBufferedForAnUpgrade() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("POST /up HTTP/1.1\r\nHost: t\r\nUpgrade: h2c\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n").read();
            assertEquals(200, r.status());
        }
        RawOrigin.Received got = origin.received().get(0);
        assertEquals(List.of("chunked"), got.headers("transfer-encoding"), "streamed, not aggregated");
        assertEquals(List.of("X-Trailer: 1"), got.headers("trailer:X-Trailer"));
    }

    /** A long Content-Length line (leading zeros are valid) must not switch checking off for the rest of the connection. */
    @Test
    void checkingNeverStopsOnAConnection() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response first = c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + "0".repeat(200) + "5\r\n\r\nhello").read();
            assertEquals(200, first.status(), first.body());
            RawHttp.Response second = c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n b\r\n\r\n").read();
            assertEquals(400, second.status(), second.body());
        }
        assertEquals(1, origin.received().size());
        assertEquals("hello", origin.received().get(0).bodyText());
    }
}

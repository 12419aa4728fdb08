package dev.sluice.core.http;

import static dev.sluice.core.testing.RawH2.END_HEADERS;
import static dev.sluice.core.testing.RawH2.END_STREAM;
import static dev.sluice.core.testing.RawH2.GOAWAY;
import static dev.sluice.core.testing.RawH2.HEADERS;
import static dev.sluice.core.testing.RawH2.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawH2;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 9: the HTTP/2 front end answers every malformed shape as RFC 9113 says, with
 * hand-built frames: a stream error is a RST_STREAM with the code the RFC names (never CANCEL),
 * a connection error a GOAWAY, a malformed request never reaches the origin, and every stream
 * ends.
 */
class Http2StrictnessIT {

    private static RawOrigin origin;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        origin = RawOrigin.start();
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
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

    private static RawH2 client() throws IOException {
        return new RawH2(sluice.address());
    }

    /** Stream 1 is reset with {@code code}, and nothing of it reached the origin. */
    private static void resetWith(RawH2 c, int code) throws IOException {
        RawH2.Frame f = c.awaitEnd(1);
        assertNotNull(f, "the stream must end");
        assertEquals(RST_STREAM, f.type(), f.toString());
        assertEquals(code, f.errorCode(), "RST_STREAM code");
        assertEquals(List.of(), origin.received());
    }

    private static void goAwayWith(RawH2 c, int code) throws IOException {
        RawH2.Frame f = c.await(GOAWAY, 0);
        assertNotNull(f, "a GOAWAY must come");
        assertEquals(code, f.errorCode(), "GOAWAY code");
        assertTrue(c.closed(), "the connection closes after GOAWAY");
    }

    private static void malformedRequest(Http2Headers headers) throws IOException {
        try (RawH2 c = client()) {
            c.headers(1, headers, true);
            resetWith(c, RawH2.PROTOCOL_ERROR);
        }
    }

    @Test
    void aWellFormedRequestIsServed() throws Exception {
        try (RawH2 c = client()) {
            c.headers(1, RawH2.request("GET", "/ok"), true);
            RawH2.Frame head = c.await(HEADERS, 1);
            assertEquals(200, RawH2.status(head));
        }
        assertEquals("/ok", origin.received().get(0).target());
    }

    @Test
    void missingMethodIsAProtocolError() throws IOException {
        malformedRequest(RawH2.headers().scheme("http").authority("t").path("/"));
    }

    @Test
    void missingPathIsAProtocolError() throws IOException {
        malformedRequest(RawH2.headers().method("GET").scheme("http").authority("t"));
    }

    @Test
    void missingSchemeIsAProtocolError() throws IOException {
        malformedRequest(RawH2.headers().method("GET").authority("t").path("/"));
    }

    @Test
    void anEmptyPathIsAProtocolError() throws IOException {
        malformedRequest(RawH2.headers().method("GET").scheme("http").authority("t").path(""));
    }

    @Test
    void aResponsePseudoHeaderInARequestIsAProtocolError() throws IOException {
        malformedRequest(RawH2.request("GET", "/").status("200"));
    }

    @Test
    void anUnknownPseudoHeaderIsAProtocolError() throws IOException {
        Http2Headers h = RawH2.request("GET", "/");
        h.add(":bogus", "x");
        malformedRequest(h);
    }

    @Test
    void anUpperCaseHeaderNameIsAProtocolError() throws IOException {
        malformedRequest(RawH2.request("GET", "/").add("X-Upper", "1"));
    }

    @Test
    void aConnectionSpecificHeaderIsAProtocolError() throws IOException {
        malformedRequest(RawH2.request("GET", "/").add("connection", "keep-alive"));
    }

    @Test
    void teOtherThanTrailersIsAProtocolError() throws IOException {
        malformedRequest(RawH2.request("GET", "/").add("te", "gzip"));
    }

    @Test
    void aPseudoHeaderInTrailersIsAProtocolError() throws IOException {
        try (RawH2 c = client()) {
            c.headers(1, RawH2.request("POST", "/t"), false);
            c.data(1, "abc", false);
            c.headers(1, RawH2.headers().method("GET"), true);
            RawH2.Frame f = c.awaitEnd(1);
            assertNotNull(f);
            assertEquals(RST_STREAM, f.type(), f.toString());
            assertEquals(RawH2.PROTOCOL_ERROR, f.errorCode());
        }
    }

    @Test
    void aSecondHeadersWithoutEndStreamIsAProtocolError() throws IOException {
        try (RawH2 c = client()) {
            c.headers(1, RawH2.request("POST", "/t"), false);
            c.headers(1, RawH2.headers().add("x-trailer", "1"), false);
            RawH2.Frame f = c.awaitEnd(1);
            assertNotNull(f);
            assertTrue(f.type() == RST_STREAM || f.type() == GOAWAY, f.toString());
            assertEquals(RawH2.PROTOCOL_ERROR, f.errorCode());
        }
    }

    @Test
    void contentLengthUnlikeTheDataIsAProtocolError() throws IOException {
        try (RawH2 c = client()) {
            c.headers(1, RawH2.request("POST", "/cl").add("content-length", "5"), false);
            c.data(1, "abc", true);
            RawH2.Frame f = c.awaitEnd(1);
            assertNotNull(f);
            assertEquals(RST_STREAM, f.type(), f.toString());
            assertEquals(RawH2.PROTOCOL_ERROR, f.errorCode());
        }
        assertEquals(List.of(), origin.received(), "a body shorter than its length is not a request");
    }

    @Test
    void aStreamWindowUpdateOfZeroIsAProtocolError() throws IOException {
        try (RawH2 c = client()) {
            c.headers(1, RawH2.request("POST", "/w"), false);
            c.windowUpdate(1, 0);
            resetWith(c, RawH2.PROTOCOL_ERROR);
        }
    }

    @Test
    void aConnectionWindowUpdateOfZeroIsAConnectionError() throws IOException {
        try (RawH2 c = client()) {
            c.windowUpdate(0, 0);
            goAwayWith(c, RawH2.PROTOCOL_ERROR);
        }
    }

    @Test
    void aPriorityFrameOfTheWrongLengthIsAFrameSizeError() throws IOException {
        try (RawH2 c = client()) {
            c.headers(1, RawH2.request("POST", "/p"), false);
            c.frame(RawH2.PRIORITY, 0, 1, new byte[4]);
            resetWith(c, RawH2.FRAME_SIZE_ERROR);
        }
    }

    @Test
    void dataOnAHalfClosedStreamIsStreamClosed() throws IOException {
        try (RawH2 c = client()) {
            origin.respondWith(r -> new byte[0]); // keep stream 1 open on Sluice's side: no answer yet
            c.headers(1, RawH2.request("GET", "/half"), true);
            c.data(1, "late", true);
            RawH2.Frame f = c.awaitEnd(1);
            assertNotNull(f);
            assertEquals(RST_STREAM, f.type(), f.toString());
            assertEquals(RawH2.STREAM_CLOSED, f.errorCode());
        } finally {
            origin.respondWith(RawOrigin::named);
        }
    }

    @Test
    void dataOnAClosedStreamIsStreamClosed() throws IOException {
        try (RawH2 c = client()) {
            c.headers(1, RawH2.request("GET", "/done"), true);
            RawH2.Frame end = c.awaitEnd(1);
            assertTrue(end != null && end.endStream(), "the first request completes");
            c.data(1, "late", true);
            RawH2.Frame f;
            while ((f = c.next()) != null && f.type() != RST_STREAM && f.type() != GOAWAY) {
                // skip
            }
            assertNotNull(f, "a frame on a closed stream is answered");
            assertEquals(RawH2.STREAM_CLOSED, f.errorCode(), f.toString());
        }
    }

    @Test
    void aStreamIdLowerThanAPreviousOneIsAConnectionError() throws IOException {
        try (RawH2 c = client()) {
            c.headers(5, RawH2.request("GET", "/five"), true);
            c.headers(3, RawH2.request("GET", "/three"), true);
            goAwayWith(c, RawH2.PROTOCOL_ERROR);
        }
    }

    @Test
    void anEvenStreamIdIsAConnectionError() throws IOException {
        try (RawH2 c = client()) {
            c.headers(2, RawH2.request("GET", "/even"), true);
            goAwayWith(c, RawH2.PROTOCOL_ERROR);
        }
    }

    @Test
    void aContinuationWithoutHeadersIsAConnectionError() throws IOException {
        try (RawH2 c = client()) {
            c.frame(RawH2.CONTINUATION, END_HEADERS, 1, c.block(RawH2.request("GET", "/")));
            goAwayWith(c, RawH2.PROTOCOL_ERROR);
        }
    }

    @Test
    void anUndecodableHeaderBlockIsACompressionError() throws IOException {
        try (RawH2 c = client()) {
            c.frame(HEADERS, END_HEADERS | END_STREAM, 1, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            goAwayWith(c, RawH2.COMPRESSION_ERROR);
        }
    }

    @Test
    void aPrefaceGoneWrongAfterItsFirstLineGetsAGoAway() throws IOException {
        try (RawH2 c = new RawH2(sluice.address(), false)) {
            c.raw("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            goAwayWith(c, RawH2.PROTOCOL_ERROR);
        }
    }
}

package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.H2Backend;
import dev.sluice.core.testing.RawH2;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 8: {@code 100 Continue} tells a client to send its body, so it is sent only
 * once the request is admitted and a node picked; a request refused before that gets its final
 * status at once, and its body is never asked for.
 */
class ExpectContinueIT {

    private static RawOrigin origin;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        origin = RawOrigin.start();
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0", maxRequestBodyBytes: 1KiB } ]
                admin: { bind: "127.0.0.1:0" }
                routes:
                  - { match: { pathPrefix: /empty }, cluster: empty }
                  - { match: { pathPrefix: / }, cluster: c }
                clusters:
                  - { name: c, backends: [ { address: "%s" } ] }
                  - { name: empty, backends: [] }
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

    @Test
    void aBodyOverTheLimitGets413InsteadOf100() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2000000000\r\n\r\n").read();
            assertEquals(413, r.status(), r.body());
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void aClusterWithoutNodesGets503InsteadOf100() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("POST /empty HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n").read();
            assertEquals(503, r.status(), r.body());
        }
    }

    @Test
    void anAdmittedRequestGets100ThenItsAnswer() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response interim = c.send("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n").read();
            assertEquals(100, interim.status());
            RawHttp.Response r = c.send("hello").read();
            assertEquals(200, r.status(), r.body());
        }
        RawOrigin.Received got = origin.received().get(0);
        assertEquals("hello", got.bodyText());
        assertEquals(List.of(), got.headers("expect"), "Sluice answers the expectation itself");
    }

    @Test
    void anUnknownExpectationIs417() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: t\r\nExpect: something\r\nContent-Length: 5\r\n\r\n").read();
            assertEquals(417, r.status(), r.body());
        }
        assertEquals(List.of(), origin.received());
    }

    /** HTTP/2 client, HTTP/2 backend: the 100 is an interim HEADERS frame, sent once a stream to the backend is open. */
    @Test
    void overHttp2ToAnH2BackendTheClientGets100ThenItsAnswer() throws Exception {
        try (H2Backend h2 = H2Backend.start("h2", 100);
                RunningSluice viaH2 = RunningSluice.start("""
                        listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                        admin: { bind: "127.0.0.1:0" }
                        routes: [ { match: { pathPrefix: / }, cluster: h2 } ]
                        clusters: [ { name: h2, protocol: h2, backends: [ { address: "%s" } ] } ]
                        """.formatted(h2.address()));
                RawH2 c = new RawH2(viaH2.address()).settled()) {
            c.headers(1, RawH2.request("POST", "/up").add("expect", "100-continue").add("content-length", "5"), false);
            RawH2.Frame interim = c.next();
            assertEquals(RawH2.HEADERS, interim.type(), interim.toString());
            assertEquals("100", interim.headers().status().toString(), "the body is asked for");
            assertFalse(interim.endStream());
            c.data(1, "hello", true);
            RawH2.Frame head = c.next();
            assertEquals("200", head.headers().status().toString(), head.toString());
            StringBuilder body = new StringBuilder();
            for (RawH2.Frame f = c.next(); f != null; f = f.endStream() ? null : c.next()) {
                if (f.type() == RawH2.DATA) {
                    body.append(new String(f.payload(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(H2Backend.body("h2", "hello"), body.toString());
        }
    }
}

package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import java.io.IOException;
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
}

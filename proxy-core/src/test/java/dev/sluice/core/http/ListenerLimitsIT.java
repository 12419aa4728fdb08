package dev.sluice.core.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.upstream.Node;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** listeners[].maxConnections, listeners[].idleTimeout and pool.idleTimeout, over real sockets. */
class ListenerLimitsIT {

    private static TestBackend backend;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("a");
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0", maxConnections: 2, idleTimeout: 1s } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters:
                  - name: c
                    pool: { idleTimeout: 300ms }
                    backends: [ { address: "%s" } ]
                """.formatted(backend.address()));
    }

    @AfterAll
    static void stop() {
        sluice.close();
        backend.close();
    }

    @Test
    void connectionsOverTheLimitAreClosedAtAcceptAndCounted() throws Exception {
        long before = sluice.server().rejectedConnections("test");
        try (RawHttp one = new RawHttp(sluice.address()); RawHttp two = new RawHttp(sluice.address())) {
            assertEquals(200, one.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            assertEquals(200, two.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            try (RawHttp three = new RawHttp(sluice.address())) {
                assertTrue(three.closedByPeer(), "a third connection must be closed at once");
            }
            assertEquals(before + 1, sluice.server().rejectedConnections("test"));
        }
        await().until(() -> sluice.server().openConnections("test") == 0);
        try (RawHttp again = new RawHttp(sluice.address())) {
            assertEquals(200, again.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status(), "slots are given back on close");
        }
    }

    @Test
    void idleClientConnectionIsClosedAfterIdleTimeout() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            assertEquals(200, raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            assertTrue(raw.closedByPeer(), "idle keep-alive connection still open after idleTimeout");
        }
    }

    @Test
    void pooledUpstreamConnectionIsClosedAfterPoolIdleTimeout() throws Exception {
        Node node = sluice.server().clusters().get("c").nodes().get(0);
        try (RawHttp raw = new RawHttp(sluice.address())) {
            assertEquals(200, raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> node.openConnections() == 0);
    }
}

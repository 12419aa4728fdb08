package dev.sluice.core.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 11: {@code listeners[].maxConnectionsPerIp} keeps one address from taking every
 * connection slot of a listener. Connections over it are closed at accept and counted; other
 * addresses are not affected.
 */
class PerIpConnectionLimitIT {

    @Test
    void oneAddressCannotTakeEverySlot() throws Exception {
        try (TestBackend backend = TestBackend.start("a");
                RunningSluice sluice = RunningSluice.start("""
                        listeners: [ { name: test, bind: "127.0.0.1:0", maxConnections: 100, maxConnectionsPerIp: 2 } ]
                        admin: { bind: "127.0.0.1:0" }
                        routes: [ { match: { pathPrefix: / }, cluster: c } ]
                        clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                        """.formatted(backend.address()))) {
            long before = sluice.server().rejectedConnections("test");
            try (RawHttp one = new RawHttp(sluice.address()); RawHttp two = new RawHttp(sluice.address())) {
                assertEquals(200, one.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
                assertEquals(200, two.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
                try (RawHttp three = new RawHttp(sluice.address())) {
                    assertTrue(three.closedByPeer(), "a third connection from 127.0.0.1 must be closed at once");
                }
                assertEquals(before + 1, sluice.server().rejectedConnections("test"));
                try (RawHttp other = new RawHttp(sluice.address(), "127.0.0.2")) {
                    assertEquals(200, other.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status(), "another address has its own slots");
                }
            }
            await().until(() -> sluice.server().openConnections("test") == 0);
            try (RawHttp again = new RawHttp(sluice.address())) {
                assertEquals(200, again.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status(), "slots are given back on close");
            }
        }
    }
}

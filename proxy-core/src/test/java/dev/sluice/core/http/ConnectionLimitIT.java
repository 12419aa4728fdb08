package dev.sluice.core.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.upstream.Node;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node at pool.maxConnectionsPerNode sheds its request to the next node; when all are full the
 * request waits for one of the picked node's connections, and 503 comes only when none is freed
 * within pool.pendingTimeout.
 */
class ConnectionLimitIT {

    private static TestBackend a;
    private static TestBackend b;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        sluice = RunningSluice.start("""
                server: { eventLoopThreads: 1 }
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: tight } ]
                clusters:
                  - name: tight
                    pool: { maxConnectionsPerNode: 1, pendingTimeout: 200ms }
                    adaptiveWeights: { enabled: false }
                    timeouts: { response: 5s }
                    backends: [ { address: "%s" }, { address: "%s" } ]
                """.formatted(a.address(), b.address()));
    }

    @AfterAll
    static void stop() {
        sluice.close();
        a.close();
        b.close();
    }

    @Test
    void fullNodeSpillsToTheNextThenAllFullIs503() throws Exception {
        List<Node> nodes = sluice.server().clusters().get("tight").nodes();
        // Equal weights rotate a, b, a, b, ... The first request holds a's only connection.
        try (RawHttp holdA = new RawHttp(sluice.address()); RawHttp c2 = new RawHttp(sluice.address());
                RawHttp c3 = new RawHttp(sluice.address()); RawHttp holdB = new RawHttp(sluice.address());
                RawHttp c5 = new RawHttp(sluice.address())) {
            holdA.send("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n");
            await().until(() -> nodes.get(0).openConnections() == 1 && nodes.get(0).inFlight() == 1);

            RawHttp.Response second = c2.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals("b", second.body(), "the rotation's own pick");
            RawHttp.Response third = c3.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(200, third.status());
            assertEquals("b", third.body(), "a is full, so its turn spills to b");

            holdB.send("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n");
            await().until(() -> nodes.get(1).inFlight() == 1);
            RawHttp.Response fifth = c5.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(503, fifth.status(), "every node full, and none freed a connection within pool.pendingTimeout");
            assertTrue(fifth.body().startsWith("every node of cluster tight is at its connection limit (pool.maxConnectionsPerNode): "
                    + "no connection to "), fifth.body());
            assertTrue(fifth.body().endsWith(" within 200ms (pool.pendingTimeout): all busy\n"), fifth.body());
        }
        await().until(() -> nodes.get(0).inFlight() == 0 && nodes.get(1).inFlight() == 0);
    }
}

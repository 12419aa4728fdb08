package dev.sluice.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.testing.H2Client;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 14: a burst of requests to a cold cluster opened a connection each; a backend
 * with a small accept backlog drops SYNs, and with a 1 s connect timeout (Linux's first SYN
 * retransmission) each dropped SYN was a 502. A request that never reached a node (connect
 * refused or timed out) is now tried on another node whatever its method, connect waits as long
 * as Envoy's does, and a node at its connection limit queues requests instead of refusing them.
 */
class ConnectStormIT {

    private static String cluster(String extra, String... addresses) {
        StringBuilder b = new StringBuilder();
        for (String a : addresses) {
            b.append(b.isEmpty() ? "" : ", ").append("{ address: \"").append(a).append("\" }");
        }
        return """
                server: { eventLoopThreads: 1 }
                listeners: [ { name: test, bind: "127.0.0.1:0", http2: { maxConcurrentStreams: 1000 } } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, adaptiveWeights: { enabled: false }, %s backends: [ %s ] } ]
                """.formatted(extra, b);
    }

    private static Map<Integer, Integer> statuses(List<CompletableFuture<H2Client.Response>> answers) throws Exception {
        Map<Integer, Integer> out = new TreeMap<>();
        for (CompletableFuture<H2Client.Response> f : answers) {
            out.merge(f.get(30, TimeUnit.SECONDS).status(), 1, Integer::sum);
        }
        return out;
    }

    @Test
    void aHundredStreamsToABackendThatDropsSynsAllSucceed() throws Exception {
        try (RawOrigin slow = RawOrigin.slowToAccept(1, 5);
                RunningSluice sluice = RunningSluice.start(cluster("", slow.address()));
                H2Client h2 = new H2Client(sluice.address())) {
            List<CompletableFuture<H2Client.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                answers.add(h2.get("/r" + i));
            }
            assertEquals(Map.of(200, 100), statuses(answers));
        }
    }

    @Test
    void aPostThatNeverReachedANodeIsSentToAnother() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // nothing listens here once closed: connect is refused
        }
        try (RawOrigin live = RawOrigin.start();
                RunningSluice sluice = RunningSluice.start(cluster("", "127.0.0.1:" + closed, live.address()));
                RawHttp c = new RawHttp(sluice.address())) {
            for (int i = 0; i < 10; i++) {
                RawHttp.Response r = c.send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok").read();
                assertEquals(200, r.status(), r.body());
            }
            assertEquals(10, live.received().size());
        }
    }

    @Test
    void aNodeAtItsConnectionLimitQueuesRequestsInsteadOfRefusingThem() throws Exception {
        try (RawOrigin origin = RawOrigin.start();
                RunningSluice sluice = RunningSluice.start(cluster("pool: { maxConnectionsPerNode: 2, maxPending: 100 },",
                        origin.address()));
                H2Client h2 = new H2Client(sluice.address())) {
            List<CompletableFuture<H2Client.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                answers.add(h2.get("/q" + i));
            }
            assertEquals(Map.of(200, 50), statuses(answers));
            assertEquals(2, origin.connections(), "the two connections served every request in turn");
        }
    }

    @Test
    void aFullPendingQueueIs503AtOnce() throws Exception {
        try (RawOrigin origin = RawOrigin.start()) {
            origin.respondWith(r -> r.target().startsWith("/hang") ? new byte[0] : RawOrigin.named(r));
            try (RunningSluice sluice = RunningSluice.start(cluster("pool: { maxConnectionsPerNode: 1, maxPending: 1,"
                            + " pendingTimeout: 300ms },", origin.address()));
                    H2Client h2 = new H2Client(sluice.address())) {
                CompletableFuture<H2Client.Response> hanging = h2.get("/hang");
                // wait until the one connection is taken by the hanging request
                org.awaitility.Awaitility.await().until(() -> origin.received().size() == 1);
                CompletableFuture<H2Client.Response> queued = h2.get("/queued");
                CompletableFuture<H2Client.Response> refused = h2.get("/refused");
                assertEquals(503, refused.get(5, TimeUnit.SECONDS).status(), "the pending queue holds one");
                H2Client.Response timedOut = queued.get(5, TimeUnit.SECONDS);
                assertEquals(503, timedOut.status(), timedOut.body());
                assertEquals(true, timedOut.body().contains("pendingTimeout"), timedOut.body());
                hanging.cancel(true);
            }
        }
    }
}

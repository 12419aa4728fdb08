package dev.sluice.core.http.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.WebSocketBackend;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WebSocket through Sluice end to end: the JDK's WebSocket client, Sluice, and Netty WebSocket
 * echo backends. The handshake is balanced (plain consistent hashing by a header here: bounded
 * loads would rightly move a key off a node its own open tunnels load), the connection
 * is a tunnel after the 101, counted in flight on its node while open, closed on idle, and closed
 * with 1001 on drain.
 */
class WebSocketIT {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static WebSocketBackend a;
    private static WebSocketBackend b;
    private static WebSocketBackend c;

    @BeforeAll
    static void start() throws Exception {
        a = WebSocketBackend.start("a");
        b = WebSocketBackend.start("b");
        c = WebSocketBackend.start("c");
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        c.close();
    }

    private static RunningSluice sluice(String idle) throws Exception {
        return RunningSluice.start("""
                listeners: [ { name: edge, bind: "127.0.0.1:0", idleTimeout: %s } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: ws } ]
                clusters:
                  - name: ws
                    balancer: consistent-hash
                    hash: { key: { header: X-User }, balanceFactor: 0 }
                    backends: [ { address: "%s" }, { address: "%s" }, { address: "%s" } ]
                """.formatted(idle, a.address(), b.address(), c.address()));
    }

    /** What one client connection receives, message by message. */
    private static final class Inbox implements WebSocket.Listener {
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private StringBuilder text = new StringBuilder();
        private ByteBuffer binary = ByteBuffer.allocate(0);

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text = new StringBuilder();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ByteBuffer grown = ByteBuffer.allocate(binary.remaining() + data.remaining());
            grown.put(binary).put(data).flip();
            binary = grown;
            if (last) {
                byte[] all = new byte[binary.remaining()];
                binary.get(all);
                messages.add(all);
                binary = ByteBuffer.allocate(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(-1);
        }

        Object next() throws InterruptedException {
            Object m = messages.poll(10, TimeUnit.SECONDS);
            assertTrue(m != null, "no message within 10 s");
            return m;
        }
    }

    private static WebSocket connect(RunningSluice sluice, String user, Inbox inbox) {
        return CLIENT.newWebSocketBuilder().header("X-User", user)
                .buildAsync(URI.create("ws://127.0.0.1:" + sluice.address().getPort() + "/ws/chat"), inbox).join();
    }

    private static int inFlight(RunningSluice sluice) {
        Cluster ws = sluice.server().clusters().get("ws");
        return ws.nodes().stream().mapToInt(Node::inFlight).sum();
    }

    @Test
    void textBinaryAndAMebibyteMessagePassBothWays() throws Exception {
        try (RunningSluice sluice = sluice("60s")) {
            Inbox inbox = new Inbox();
            WebSocket ws = connect(sluice, "alice", inbox);
            ws.sendText("hello", true).join();
            assertEquals("hello", inbox.next());
            byte[] small = {0, 1, 2, (byte) 0xff};
            ws.sendBinary(ByteBuffer.wrap(small), true).join();
            assertArrayEquals(small, (byte[]) inbox.next());
            byte[] big = new byte[1 << 20];
            new Random(7).nextBytes(big);
            ws.sendBinary(ByteBuffer.wrap(big), true).join();
            assertArrayEquals(big, (byte[]) inbox.next(), "a 1 MiB message, byte for byte");
            assertEquals(1, inFlight(sluice), "an open WebSocket counts in flight on its node");

            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
            assertEquals(WebSocket.NORMAL_CLOSURE, inbox.closed.get(10, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(5)).until(() -> inFlight(sluice) == 0);
        }
    }

    @Test
    void theHashKeyOfTheHandshakeSticksAClientToOneBackend() throws Exception {
        try (RunningSluice sluice = sluice("60s")) {
            Set<Object> alice = new HashSet<>();
            Set<Object> everyone = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                Inbox inbox = new Inbox();
                WebSocket ws = connect(sluice, "alice", inbox);
                ws.sendText("who", true).join();
                alice.add(inbox.next());
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
            }
            for (int u = 0; u < 30; u++) {
                Inbox inbox = new Inbox();
                WebSocket ws = connect(sluice, "user-" + u, inbox);
                ws.sendText("who", true).join();
                everyone.add(inbox.next());
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
            }
            assertEquals(1, alice.size(), "every connection of alice on one backend: " + alice);
            assertEquals(3, everyone.size(), "other users spread over the cluster: " + everyone);
        }
    }

    @Test
    void aDrainClosesOpenWebSocketsWithGoingAway() throws Exception {
        RunningSluice sluice = sluice("60s");
        try {
            Inbox inbox = new Inbox();
            WebSocket ws = connect(sluice, "bob", inbox);
            ws.sendText("before", true).join();
            assertEquals("before", inbox.next());
            int backendCloses = a.closeCodes().size() + b.closeCodes().size() + c.closeCodes().size();
            assertTrue(sluice.server().drain(Duration.ofSeconds(5)));
            assertEquals(1001, inbox.closed.get(10, TimeUnit.SECONDS), "the client is told: going away");
            await().atMost(Duration.ofSeconds(5)).until(() -> inFlight(sluice) == 0);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    a.closeCodes().size() + b.closeCodes().size() + c.closeCodes().size() == backendCloses + 1);
            assertTrue(a.closeCodes().contains(1001) || b.closeCodes().contains(1001) || c.closeCodes().contains(1001),
                    "the backend is told too");
        } finally {
            sluice.close();
        }
    }

    @Test
    void anIdleWebSocketIsClosedAfterTheListenersIdleTimeout() throws Exception {
        try (RunningSluice sluice = sluice("500ms")) {
            Inbox inbox = new Inbox();
            WebSocket ws = connect(sluice, "carol", inbox);
            ws.sendText("ping", true).join();
            assertEquals("ping", inbox.next());
            inbox.closed.get(10, TimeUnit.SECONDS); // closed by Sluice: no close frame, the connection ends
            await().atMost(Duration.ofSeconds(5)).until(() -> inFlight(sluice) == 0);
        }
    }
}

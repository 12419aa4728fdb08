package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawH2;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 11: an HTTP/2 client sending only PINGs, or a header block in one-byte
 * CONTINUATION frames, held its connection forever. Idle means no stream (PINGs keep nothing
 * alive); an unfinished header block has the header deadline.
 */
class Http2SlowClientsIT {

    private static RawOrigin origin;
    private static RunningSluice sluice;
    private static final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() throws Exception {
        origin = RawOrigin.start();
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0", idleTimeout: 2s, headerTimeout: 1s } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                """.formatted(origin.address()));
    }

    @AfterAll
    static void stop() throws IOException {
        trickle.shutdownNow();
        sluice.close();
        origin.close();
    }

    @Test
    void aConnectionWithOnlyPingsIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawH2 c = new RawH2(sluice.address())) {
            long start = System.nanoTime();
            trickle.scheduleAtFixedRate(() -> {
                try {
                    c.ping();
                } catch (IOException e) {
                    throw new IllegalStateException(e); // closed by Sluice: stop pinging
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
            RawH2.Frame goAway = c.await(RawH2.GOAWAY, 0);
            assertNotNull(goAway, "an idle connection must be told it is closing");
            assertEquals(RawH2.NO_ERROR, goAway.errorCode());
            assertTrue(c.closed());
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs >= 1900 && tookMs < 5000, "closed after " + tookMs + " ms");
        }
    }

    @Test
    void aHeaderBlockTrickledInOneByteContinuationsIsCutAtTheHeaderTimeout() throws Exception {
        try (RawH2 c = new RawH2(sluice.address()).settled()) {
            byte[] block = c.block(RawH2.request("GET", "/slow").add("x-pad", "y".repeat(200)));
            c.frame(RawH2.HEADERS, RawH2.END_STREAM, 1, Arrays.copyOfRange(block, 0, 1));
            int[] sent = {1};
            trickle.scheduleAtFixedRate(() -> {
                try {
                    if (sent[0] < block.length - 1) {
                        c.frame(RawH2.CONTINUATION, 0, 1, Arrays.copyOfRange(block, sent[0], sent[0] + 1));
                        sent[0]++;
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
            RawH2.Frame goAway = c.await(RawH2.GOAWAY, 0);
            assertNotNull(goAway, "an unfinished header block must not hold the connection");
            assertEquals(RawH2.ENHANCE_YOUR_CALM, goAway.errorCode());
            assertTrue(c.closed());
        }
        assertEquals(0, origin.received().size());
    }
}

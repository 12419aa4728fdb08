package dev.sluice.core.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.time.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 15: an answer given before a request head was read (408 header timeout, 400
 * malformed head) carries an {@code X-Request-Id} and gets an access-log line, like every other
 * answer, so a client's report can be found in the log.
 */
class PreHeadAnswersIT {

    private static RawOrigin origin;
    private static RunningSluice sluice;
    private static final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        origin = RawOrigin.start();
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0", headerTimeout: 1s } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                """.formatted(origin.address()), Ticker.SYSTEM, log);
    }

    @AfterAll
    static void stop() throws IOException {
        sluice.close();
        origin.close();
    }

    private static String logged() {
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    private static void answeredAndLogged(String raw, int status) throws IOException {
        String id;
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send(raw).read();
            assertEquals(status, r.status(), r.body());
            id = r.header("x-request-id");
            assertNotNull(id, "a " + status + " must carry X-Request-Id");
        }
        String expected = "\"id\":\"" + id + "\"";
        await().atMost(Duration.ofSeconds(5)).until(() -> logged().contains(expected));
        String line = logged().lines().filter(l -> l.contains(expected)).findFirst().orElseThrow();
        assertTrue(line.contains("\"status\":" + status) && line.contains("\"refused\":\"hygiene\""), line);
    }

    @Test
    void aHeaderTimeoutIsAnsweredWithAnIdAndLogged() throws IOException {
        answeredAndLogged("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ", 408);
    }

    @Test
    void aMalformedHeadIsAnsweredWithAnIdAndLogged() throws IOException {
        answeredAndLogged("GET / HTTP/1.1\r\nHost: t\r\nBad Header: 1\r\n\r\n", 400);
    }
}

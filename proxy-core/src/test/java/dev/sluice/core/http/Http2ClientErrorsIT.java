package dev.sluice.core.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.metrics.ClientErrors;
import dev.sluice.core.testing.CapturedLog;
import dev.sluice.core.testing.RawH2;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 10: every HTTP/2 protocol error a client sent put a full stack trace in the
 * log. Client mistakes are now counted by kind and logged as at most one line per connection,
 * rate-limited across connections, with no stack trace.
 */
class Http2ClientErrorsIT {

    private static RawOrigin origin;
    private static RunningSluice sluice;
    private static CapturedLog log;

    @BeforeAll
    static void start() throws Exception {
        log = CapturedLog.start();
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
        log.close();
        sluice.close();
        origin.close();
    }

    private static long count(String kind) {
        return sluice.server().ingress().clientErrors().get(kind);
    }

    private static List<LogRecord> clientErrorLines() {
        return log.of("ConnectionErrors");
    }

    @Test
    void aHundredMalformedStreamsOnOneConnectionAreCountedAndLoggedOnce() throws Exception {
        long before = count("protocol_error");
        int linesBefore = clientErrorLines().size();
        try (RawH2 c = new RawH2(sluice.address())) {
            for (int i = 0; i < 100; i++) {
                c.headers(2 * i + 1, RawH2.headers().method("GET").authority("t"), true); // no :scheme, no :path
            }
            int resets = 0;
            RawH2.Frame f;
            while (resets < 100 && (f = c.next()) != null) {
                resets += f.type() == RawH2.RST_STREAM && f.errorCode() == RawH2.PROTOCOL_ERROR ? 1 : 0;
            }
            assertEquals(100, resets);
        }
        assertEquals(before + 100, count("protocol_error"));
        assertEquals(linesBefore + 1, clientErrorLines().size(), "one line for the connection");
    }

    @Test
    void connectionErrorsOfManyClientsAreCountedLoggedAtARateAndNeverWithAStackTrace() throws Exception {
        long before = count("protocol_error");
        int linesBefore = clientErrorLines().size();
        for (int i = 0; i < 60; i++) {
            try (RawH2 c = new RawH2(sluice.address())) {
                c.windowUpdate(0, 0);
                assertTrue(c.closed());
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> count("protocol_error") == before + 60);
        int lines = clientErrorLines().size() - linesBefore;
        assertTrue(lines >= 1 && lines <= 2 * ClientErrors.LINES_PER_SECOND + 10, lines + " lines for 60 connection errors");
        for (LogRecord r : log.records()) {
            assertEquals(null, r.getThrown(), "a client's mistake logged a stack trace: " + r.getLoggerName() + ": " + r.getMessage());
        }
    }
}

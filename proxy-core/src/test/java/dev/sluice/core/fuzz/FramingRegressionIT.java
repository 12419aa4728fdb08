package dev.sluice.core.fuzz;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Request streams the fuzzer once failed on, kept readable and judged by the same harness as
 * {@link FramingFuzzIT}, without the fuzzer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FramingRegressionIT {

    private FramingFuzzHarness harness;

    @BeforeAll
    void start() throws Exception {
        harness = new FramingFuzzHarness();
    }

    @AfterAll
    void stop() throws Exception {
        harness.close();
    }

    /** {@code OPTIONS *} matches no route: a 404 that keeps the connection, and the next request is forwarded. */
    @Test
    void anUnroutedAsteriskRequestThenAnotherRequest() throws Exception {
        harness.requestStream("\r\nOPTIONS * HTTP/1.1\r\nX-Fuzz-Case: k1-0\r\nHost: t\r\n\r\n"
                + "get /" + "p".repeat(300) + " HTTP/1.1\r\nX-Fuzz-Case: k1-1\r\nHost: t\r\n\r\n", "k1");
    }

    /** {@code close} wins over {@code keep-alive} (RFC 9112 §9.3): nothing after the first request is read. */
    @Test
    void closeAndKeepAliveTogetherClose() throws Exception {
        harness.requestStream("GET /r HTTP/1.0\r\nX-Fuzz-Case: k2-0\r\nHost: t\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"
                + "OPTIONS /r HTTP/1.0\r\r\nX-Fuzz-Case: k2-1\r\r\nHost: t\r\r\n\r\r\n", "k2");
    }
}

package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10, defect 6: an answer followed by a close with the client's bytes still unread made the
 * kernel send a reset, and a reset can destroy the answer before the client reads it. Sluice now
 * answers, shuts its side down, and reads (and drops) what the client still sends for a bounded
 * time, as NGINX's lingering close does: the client reads the status, then a clean end of stream.
 */
class LingeringCloseIT {

    private static RawOrigin origin;
    private static RunningSluice sluice;
    /** More than the socket buffers hold, so bytes are still unread when Sluice closes. */
    private static final String MORE = "x".repeat(256 * 1024);

    @BeforeAll
    static void start() throws Exception {
        origin = RawOrigin.start();
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0", maxHeaderBytes: 1KiB, maxRequestBodyBytes: 1KiB } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                """.formatted(origin.address()));
    }

    @AfterAll
    static void stop() throws IOException {
        sluice.close();
        origin.close();
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(431, "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(2000) + MORE),
                Arguments.of(413, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" + MORE),
                Arguments.of(413, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n" + MORE),
                Arguments.of(400, "GET / HTTP/1.1\r\nHost: t\r\nBad Header: 1\r\n\r\n" + MORE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void theClientReadsTheAnswerAndThenACleanEnd(int status, String raw) throws Exception {
        try (RawHttp c = new RawHttp(sluice.address())) {
            c.send(raw.getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Response r = c.read();
            assertEquals(status, r.status(), r.body());
            assertTrue(c.endsCleanly(), "the connection must end with a FIN, not a reset");
        }
    }
}

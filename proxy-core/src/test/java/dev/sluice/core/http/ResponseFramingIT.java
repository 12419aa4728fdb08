package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Responses as origins send them, over raw sockets: each reaches the client whole, or not at all. */
class ResponseFramingIT {

    private static RawOrigin origin;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        origin = RawOrigin.start();
        sluice = RunningSluice.start("""
                server: { eventLoopThreads: 1 }
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
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

    @Test
    void aBodyEndedByTheCloseIsReframedWhole() throws IOException {
        String body = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nnot-yours!!";
        origin.replyWith(r -> new RawOrigin.Reply(("HTTP/1.1 200 OK\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1), true));
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("chunked", r.header("transfer-encoding"));
            assertEquals(body, r.body());
        } finally {
            origin.respondWith(RawOrigin::named);
        }
    }

    /** Found by the fuzz test: a HEAD answer with a malformed Content-Length broke the relay and the client got nothing. */
    @Test
    void aHeadAnswerWithAMalformedLengthIs502() throws IOException {
        origin.respondWith(r -> "HTTP/1.1 200 OK\r\nContent-Length: 24, 24\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n").readHead();
            assertEquals(502, r.status(), r.toString());
        } finally {
            origin.respondWith(RawOrigin::named);
        }
    }
}

package dev.sluice.core.http;

import static dev.sluice.core.testing.RawH2.CONTINUATION;
import static dev.sluice.core.testing.RawH2.END_HEADERS;
import static dev.sluice.core.testing.RawH2.END_STREAM;
import static dev.sluice.core.testing.RawH2.GOAWAY;
import static dev.sluice.core.testing.RawH2.HEADERS;
import static dev.sluice.core.testing.RawH2.PRIORITY;
import static dev.sluice.core.testing.RawH2.RST_STREAM;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawH2;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.ReadmeTables;
import dev.sluice.core.testing.RunningSluice;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The README's "Malformed input and what Sluice answers" tables, row by row: each row's input is
 * sent over a raw socket to a real Sluice in front of a raw recording origin, and the answer must
 * be the one the row states (the notation is explained above the tables in the README).
 */
class MalformedInputTableIT {

    private static final String SECTION = "Malformed input and what Sluice answers";
    private static final Map<String, Integer> CODES = Map.of("PROTOCOL_ERROR", RawH2.PROTOCOL_ERROR,
            "FLOW_CONTROL_ERROR", RawH2.FLOW_CONTROL_ERROR, "STREAM_CLOSED", RawH2.STREAM_CLOSED,
            "FRAME_SIZE_ERROR", RawH2.FRAME_SIZE_ERROR, "REFUSED_STREAM", RawH2.REFUSED_STREAM,
            "COMPRESSION_ERROR", RawH2.COMPRESSION_ERROR, "ENHANCE_YOUR_CALM", RawH2.ENHANCE_YOUR_CALM);

    private static RawOrigin origin;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        // /hold is never answered: its stream stays open on Sluice's side.
        origin = RawOrigin.start().respondWith(r -> r.target().equals("/hold") ? new byte[0] : RawOrigin.named(r));
        sluice = RunningSluice.start("""
                listeners: [ { name: table, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                rateLimits: { perPartition: { key: { header: X-Tenant-Id }, rate: 10000/s, burst: 10000 } }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                """.formatted(origin.address()));
    }

    @AfterAll
    static void stop() throws IOException {
        sluice.close();
        origin.close();
    }

    @TestFactory
    Stream<DynamicTest> http1() throws IOException {
        return rows("bytes sent", this::http1);
    }

    @TestFactory
    Stream<DynamicTest> http2() throws IOException {
        return rows("frames sent", this::http2);
    }

    private interface Check {
        void run(String sent, String answer) throws Exception;
    }

    private static Stream<DynamicTest> rows(String column, Check check) throws IOException {
        ReadmeTables.Table table = ReadmeTables.of(SECTION).stream()
                .filter(t -> t.header().get(1).equals(column)).findFirst().orElseThrow();
        assertFalse(table.rows().isEmpty());
        return table.rows().stream().map(r -> {
            String row = "README.md:" + r.line() + " " + r.cell(0);
            return DynamicTest.dynamicTest(row, () -> {
                origin.clear();
                try {
                    check.run(r.cell(1), r.cell(2));
                } catch (AssertionError | IOException e) {
                    throw new AssertionError(row + " (" + r.cell(2) + "): " + e.getMessage(), e);
                }
            });
        });
    }

    /** Answers: {@code NNN}, {@code forwarded [as M T] [with Name: value]}, each optionally {@code , closes} or {@code , stays open}. */
    private void http1(String sent, String answer) throws Exception {
        boolean closes = answer.endsWith(", closes");
        boolean staysOpen = answer.endsWith(", stays open");
        String what = answer.replaceFirst(", (closes|stays open)$", "");
        boolean forwarded = what.startsWith("forwarded");
        try (RawHttp c = new RawHttp(sluice.address(), null, 5000)) {
            c.send(ReadmeTables.bytes(sent));
            RawHttp.Response r = c.read();
            if (forwarded) {
                assertEquals(200, r.status(), "the origin's answer: " + r);
            } else {
                assertEquals(Integer.parseInt(what), r.status(), r.toString());
                assertNotNull(r.header("x-request-id"), "every answer carries a request id");
                String reason = r.body().strip();
                assertTrue(!reason.isEmpty() && reason.indexOf('\n') < 0, "a one-line reason: " + r.body());
            }
            if (closes) {
                assertTrue(c.endsCleanly(), "the connection closes gracefully (no reset)");
            }
            if (staysOpen) {
                RawHttp.Response next = c.send("GET /next HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals("conn", next.body().split(" ")[0], "the next request is served: " + next);
            }
        }
        await().until(origin::settled);
        List<RawOrigin.Received> got = origin.received().stream().filter(g -> !g.target().equals("/next")).toList();
        if (!forwarded) {
            assertEquals(List.of(), got.stream().map(RawOrigin.Received::target).toList(), "a refused request reaches no backend");
            return;
        }
        assertEquals(1, got.size(), "exactly one request forwarded: " + got.stream().map(RawOrigin.Received::target).toList());
        int with = what.indexOf(" with ");
        String as = what.substring("forwarded".length(), with < 0 ? what.length() : with).strip();
        if (as.startsWith("as ")) {
            assertEquals(as.substring(3), got.get(0).method() + " " + got.get(0).target());
        }
        if (with >= 0) {
            String header = what.substring(with + 6);
            int colon = header.indexOf(": ");
            assertEquals(List.of(header.substring(colon + 2)), got.get(0).headers(header.substring(0, colon)));
        }
    }

    /** Answers: {@code RST_STREAM CODE}, {@code GOAWAY CODE}, or the response's status. */
    private void http2(String frames, String answer) throws Exception {
        boolean raw = frames.startsWith("RAW ");
        String refusedPath = null;
        RawH2.Frame got;
        int last = 0;
        try (RawH2 c = new RawH2(sluice.address(), !raw)) {
            if (!raw) {
                c.settled();
            }
            for (String step : frames.split(" ; ")) {
                String[] t = step.split(" ");
                if (t[0].equals("RAW")) {
                    c.raw(ReadmeTables.bytes(step.substring(4)));
                    continue;
                }
                last = Integer.parseInt(t[1]);
                boolean es = t.length > 2 && t[2].equals("es");
                int from = es ? 3 : 2;
                refusedPath = null;
                switch (t[0]) {
                    case "HEADERS" -> {
                        byte[] block;
                        if (t[from].startsWith("hex:")) {
                            block = HexFormat.of().parseHex(t[from].substring(4));
                        } else {
                            Http2Headers h = fields(t, from);
                            block = c.block(h);
                            refusedPath = h.path() == null ? null : h.path().toString();
                        }
                        c.frame(HEADERS, END_HEADERS | (es ? END_STREAM : 0), last, block);
                    }
                    case "CONTINUATION" -> c.frame(CONTINUATION, END_HEADERS, last, c.block(fields(t, from)));
                    case "DATA" -> c.data(last, new String(ReadmeTables.bytes(t[from]), StandardCharsets.ISO_8859_1), es);
                    case "WINDOW_UPDATE" -> c.windowUpdate(last, Integer.parseInt(t[2]));
                    case "PRIORITY" -> c.frame(PRIORITY, 0, last, new byte[Integer.parseInt(t[2])]);
                    case "wait" -> assertNotNull(c.awaitEnd(last), "stream " + last + " ends");
                    default -> throw new IllegalArgumentException("unknown frame " + step);
                }
            }
            while ((got = c.next()) != null && got.type() != GOAWAY
                    && !(got.stream() == last && (got.type() == RST_STREAM || got.type() == HEADERS))) {
                // frames of other streams
            }
        }
        assertNotNull(got, "an answer to stream " + last);
        String[] a = answer.split(" ");
        if (a[0].equals("RST_STREAM") || a[0].equals("GOAWAY")) {
            assertEquals(a[0], got.type() == GOAWAY ? "GOAWAY" : got.type() == RST_STREAM ? "RST_STREAM" : "HEADERS " + RawH2.status(got));
            assertEquals(CODES.get(a[1]), got.errorCode(), "error code");
        } else {
            assertEquals(HEADERS, got.type(), got.toString());
            assertEquals(Integer.parseInt(a[0]), RawH2.status(got));
        }
        if (refusedPath != null && !answer.startsWith("2")) {
            String path = refusedPath;
            await().until(origin::settled);
            assertTrue(origin.received().stream().noneMatch(r -> r.target().equals(path)), "a refused request reaches no backend");
        }
    }

    /** {@code METHOD /path} (with {@code :scheme http}, {@code :authority t}), then {@code name=value} fields as they are. */
    private static Http2Headers fields(String[] t, int from) {
        Http2Headers h = RawH2.headers();
        int i = from;
        if (i + 1 < t.length + 1 && i < t.length && !t[i].contains("=")) {
            h = RawH2.request(t[i], t[i + 1]);
            i += 2;
        }
        for (; i < t.length; i++) {
            int eq = t[i].indexOf('=', 1);
            h.add(t[i].substring(0, eq), new String(ReadmeTables.bytes(t[i].substring(eq + 1)), StandardCharsets.ISO_8859_1));
        }
        return h;
    }
}

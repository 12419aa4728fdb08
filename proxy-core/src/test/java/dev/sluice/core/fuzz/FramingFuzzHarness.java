package dev.sluice.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.upstream.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The differential fuzz test of HTTP/1.1 framing, both directions, over real sockets: a real
 * Sluice between a raw client and a raw recording origin.
 * <ul>
 *   <li><b>Requests</b>: the client sends a fuzzed byte stream. Every request the origin receives
 *       must be exactly one the client sent, in order, as {@link ReferenceRequests} reads the
 *       stream (method, target, the headers that must pass, body, trailers); nothing else may
 *       reach it; a request Sluice did not forward must have been answered with a status of 400 or
 *       more, after which nothing more of the connection is forwarded, except {@code OPTIONS *},
 *       which matches no route: a 404 on a connection that goes on; every 200 the client reads
 *       answers its own request.</li>
 *   <li><b>Responses</b>: the origin answers a request with fuzzed bytes. The client gets exactly
 *       that response as {@link ReferenceResponses} reads it (status, body, the headers that must
 *       pass), or a 502 / a closed connection; and the next client on the pooled connection gets
 *       its own answer, never bytes of the previous one.</li>
 * </ul>
 * One instance per fuzz run; the fixtures are shared by every case (state is keyed by a case tag).
 */
final class FramingFuzzHarness implements AutoCloseable {

    private static final boolean DEBUG = Boolean.getBoolean("fuzz.debug");
    private static final int MAX_HEAD = 16 * 1024;
    private static final long MAX_BODY = 1 << 20;

    private final RawOrigin origin;
    private final RunningSluice sluice;
    private final Node node;
    private final ReferenceRequests reference = new ReferenceRequests(MAX_HEAD, MAX_BODY);
    private final Map<String, RawOrigin.Reply> fuzzedReplies = new ConcurrentHashMap<>();
    private final AtomicLong cases = new AtomicLong();
    final AtomicLong requestCases = new AtomicLong();
    final AtomicLong responseCases = new AtomicLong();
    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong refusedMalformed = new AtomicLong();
    final AtomicLong badResponses = new AtomicLong();

    FramingFuzzHarness() throws Exception {
        origin = RawOrigin.start().replyWith(r -> {
            String id = r.header("x-fuzz-case");
            RawOrigin.Reply fuzzed = id == null ? null : fuzzedReplies.remove(id);
            return fuzzed != null ? fuzzed : new RawOrigin.Reply(RawOrigin.ok(id == null ? "no case" : id), false);
        });
        sluice = RunningSluice.start("""
                server: { eventLoopThreads: 1 }
                listeners: [ { name: fuzz, bind: "127.0.0.1:0", maxHeaderBytes: 16KiB, maxRequestBodyBytes: 1MiB,
                               pathNormalization: "off", headerTimeout: 2s, requestTimeout: 3s, idleTimeout: 5s } ]
                admin: { bind: "127.0.0.1:0" }
                accessLog: { enabled: false }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, timeouts: { response: 1s }, backends: [ { address: "%s" } ] } ]
                """.formatted(origin.address()));
        node = sluice.server().clusters().get("c").nodes().get(0);
    }

    /** One fuzz case: the first byte chooses the direction. */
    void run(FuzzedDataProvider data) throws Exception {
        String tag = "c" + cases.incrementAndGet();
        // Jazzer reports any connection as a possible SSRF; these, all to loopback, are the test's own.
        long start = System.nanoTime();
        try (SilentCloseable loopback = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("127.0.0.1") || host.equals("localhost"))) {
            if (data.consumeBoolean()) {
                requestCase(data, tag);
            } else {
                responseCase(data, tag);
            }
        } finally {
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (DEBUG && ms > 500) {
                System.out.println("DEBUG case " + tag + " took " + ms + " ms");
            }
        }
    }

    private void requestCase(FuzzedDataProvider data, String tag) throws Exception {
        requestStream(Shapes.requests(data, tag), tag);
    }

    /** Judges one request stream whose requests carry {@code X-Fuzz-Case: tag-i}; a fuzz case or a kept regression. */
    void requestStream(String stream, String tag) throws Exception {
        requestCases.incrementAndGet();
        ReferenceRequests.Parse ref = reference.parse(stream);

        List<RawHttp.Response> answers = new ArrayList<>();
        try (RawHttp c = new RawHttp(sluice.address(), null, 1500)) {
            c.send(stream.getBytes(StandardCharsets.ISO_8859_1));
            try {
                // An answer for every well-formed request, and one more (the refusal) when the stream goes bad after them.
                int expected = ref.requests().size() + (ref.invalid() ? 1 : 0);
                while (answers.size() < expected) {
                    int i = answers.size();
                    boolean head = i < ref.requests().size() && ref.requests().get(i).method().equals("HEAD");
                    RawHttp.Response r = head ? c.readHead() : c.read();
                    if (r.status() >= 200) {
                        answers.add(r);
                    }
                }
            } catch (IOException | RuntimeException closedOrQuiet) {
                // closed by Sluice, or nothing more to read
            }
            c.shutdownOutput();
            c.endsCleanly();
        }
        settle();
        List<RawOrigin.Received> got = new ArrayList<>();
        for (RawOrigin.Received r : origin.received()) {
            String id = r.header("x-fuzz-case");
            if (id == null) {
                fail("the origin read a request no client sent: " + Forwarded.show(r) + "\nclient sent: " + Forwarded.show(stream));
            }
            if (id.startsWith(tag + "-")) {
                got.add(r);
            }
        }
        origin.clear();
        // The one route takes every path; only the asterisk form matches none, a 404 that keeps the connection.
        List<ReferenceRequests.Request> routed = ref.requests().stream().filter(r -> !r.target().equals("*")).toList();
        if (DEBUG && got.isEmpty() && !routed.isEmpty()) {
            System.out.println("DEBUG none forwarded of " + routed.size() + ": " + Forwarded.show(stream) + " answers=" + answers);
        }
        assertTrue(got.size() <= routed.size(), "the origin got " + got.size() + " requests, the client sent "
                + routed.size() + " well-formed routed ones (" + ref.stop() + "):\n" + Forwarded.show(stream) + "\norigin got: " + got.stream().map(Forwarded::show).toList());
        for (int i = 0; i < got.size(); i++) {
            Forwarded.same(routed.get(i), got.get(i), stream);
        }
        forwarded.addAndGet(got.size());
        for (int i = 0; i < answers.size() && i < ref.requests().size(); i++) {
            RawHttp.Response a = answers.get(i);
            ReferenceRequests.Request sent = ref.requests().get(i);
            if (sent.target().equals("*")) {
                assertEquals(404, a.status(), "answer " + i + " to an unrouted request:\n" + Forwarded.show(stream));
            } else if (a.status() == 200 && !sent.method().equals("HEAD")) {
                assertEquals(sent.header("x-fuzz-case"), a.body(), "answer " + i + " is another request's:\n" + Forwarded.show(stream));
            }
        }
        if (got.size() < routed.size()) {
            // Sluice refused a request the reference accepts (stricter than the reference): it must have said so.
            int at = ref.requests().indexOf(routed.get(got.size()));
            RawHttp.Response last = answers.size() > at ? answers.get(at) : null;
            if (last != null) {
                assertTrue(last.status() >= 400, "request " + at + " was neither forwarded nor refused:\n" + Forwarded.show(stream));
            }
            refused.incrementAndGet();
            if (DEBUG) {
                System.out.println("DEBUG refused a well-formed request " + at + ": " + last + " " + Forwarded.show(stream));
            }
        } else if (ref.invalid()) {
            // The first malformed request: answered with a refusal (then the connection closes), never silently dropped.
            int at = ref.requests().size();
            assertTrue(answers.size() == at + 1 && answers.get(at).status() >= 400,
                    "malformed request " + at + " (" + ref.stop() + ") got no refusal: " + answers + "\n" + Forwarded.show(stream));
            refusedMalformed.incrementAndGet();
        }
    }

    private void responseCase(FuzzedDataProvider data, String tag) throws Exception {
        responseCases.incrementAndGet();
        boolean head = data.consumeInt(0, 4) == 4;
        String response = Shapes.response(data);
        ReferenceResponses.Parse ref = ReferenceResponses.parse(response, head);

        boolean close = ref.response() == null || ref.response().untilClose();
        fuzzedReplies.put(tag + "-1", new RawOrigin.Reply(response.getBytes(StandardCharsets.ISO_8859_1), close));
        RawHttp.Response a;
        try (RawHttp c = new RawHttp(sluice.address(), null, 3000)) {
            c.send((head ? "HEAD" : "GET") + " /r1 HTTP/1.1\r\nHost: t\r\nX-Fuzz-Case: " + tag + "-1\r\n\r\n");
            try {
                a = head ? c.readHead() : c.read();
            } catch (IOException | RuntimeException cut) {
                a = null; // closed before or inside the response: how a truncated response is told
            }
        }
        fuzzedReplies.remove(tag + "-1");
        if (ref.response() == null) {
            badResponses.incrementAndGet();
            assertTrue(a == null || a.status() == 502, "Sluice passed on a response the reference refuses ("
                    + ref.stop() + "): " + Forwarded.show(response) + "\nclient got: " + a);
        } else if (a != null && a.status() != 502) {
            ReferenceResponses.Response r = ref.response();
            assertEquals(r.status(), a.status(), Forwarded.show(response));
            if (!head) {
                assertEquals(r.body(), a.body(), "body of " + Forwarded.show(response));
            }
            for (String[] h : Forwarded.passing(r.headers())) {
                String value = a.header(h[0]);
                assertTrue(value != null && value.contains(h[1]), "header " + h[0] + " lost from " + Forwarded.show(response) + "\ngot " + a.headers());
            }
        } else if (a == null) {
            fail("a well-formed response did not reach the client: " + Forwarded.show(response));
        }
        // The next client, most likely on the same pooled connection, gets its own answer.
        try (RawHttp c = new RawHttp(sluice.address(), null, 3000)) {
            RawHttp.Response next = c.send("GET /r2 HTTP/1.1\r\nHost: t\r\nX-Fuzz-Case: " + tag + "-2\r\n\r\n").read();
            assertTrue(next.status() == 502 || (next.status() == 200 && next.body().equals(tag + "-2")),
                    "the next client got " + next.status() + " " + Forwarded.show(next.body()) + " after " + Forwarded.show(response));
        }
        settle();
        origin.clear();
    }

    /**
     * Waits (at most 3 s) until Sluice has nothing in flight and the origin has read everything
     * sent to it; then the checks that follow judge what arrived. A poll of a condition on real
     * sockets, by the tenth of a millisecond (Awaitility's thread per wait would cost more than a case).
     */
    private void settle() {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (!(node.inFlight() == 0 && origin.settled()) && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(100_000);
        }
    }

    /** A one-line account of the run. */
    String summary() {
        return "fuzz: " + cases.get() + " cases (" + requestCases.get() + " request streams, " + responseCases.get()
                + " responses); " + forwarded.get() + " requests forwarded exactly, " + refusedMalformed.get()
                + " malformed requests refused, " + refused.get() + " well-formed ones refused, "
                + badResponses.get() + " responses the reference refuses";
    }

    /**
     * The harness of one fuzz test class, made on its first case rather than in {@code @BeforeAll}:
     * Sluice's classes must load after the fuzzer's agent is in place, to be instrumented.
     */
    static final class Lazy {
        private FramingFuzzHarness harness;

        FramingFuzzHarness get() throws Exception {
            if (harness == null) {
                harness = new FramingFuzzHarness();
            }
            return harness;
        }

        /** Prints the run's summary, writes it to {@code target/fuzz-summary.txt}, and stops the fixtures. */
        void report() throws IOException {
            if (harness == null) {
                return;
            }
            String summary = harness.summary();
            System.out.println(summary);
            Files.writeString(Path.of("target", "fuzz-summary.txt"), summary + "\n", StandardCharsets.UTF_8);
            harness.close();
        }
    }

    @Override
    public void close() throws IOException {
        sluice.close();
        origin.close();
    }
}

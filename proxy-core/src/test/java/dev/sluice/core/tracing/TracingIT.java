package dev.sluice.core.tracing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.testing.WebSocketBackend;
import dev.sluice.core.time.Ticker;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: one OTLP/HTTP span per request, exported to a receiver (WireMock, decoded with the
 * OTLP protobuf classes), its parent taken from the client's {@code traceparent}, the backend given
 * Sluice's own span as parent, retries as events, and the trace id in the access-log line.
 */
class TracingIT {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final Pattern TRACEPARENT = Pattern.compile("traceparent: 00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

    private static WireMockServer receiver;
    private static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        receiver = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        receiver.start();
        receiver.stubFor(post(urlEqualTo("/v1/traces")).willReturn(aResponse().withStatus(200)));
        backend = TestBackend.start("b");
    }

    @AfterAll
    static void stop() {
        receiver.stop();
        backend.close();
    }

    @BeforeEach
    void forget() {
        receiver.resetRequests();
    }

    private static String config(String tracing, String backends, String retries) {
        return """
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                %s
                routes:
                  - { match: { pathPrefix: /headers }, cluster: c }
                  - { match: { pathPrefix: / }, cluster: c }
                clusters: [ { name: c, adaptiveWeights: { enabled: false }, %s backends: [ %s ] } ]
                """.formatted(tracing, retries, backends);
    }

    private String tracing(double ratio) {
        return "tracing: { endpoint: \"http://127.0.0.1:" + receiver.port() + "/v1/traces\", samplingRatio: " + ratio
                + ", serviceName: edge }";
    }

    /** Every span the receiver got so far. */
    private static List<Span> spans() throws Exception {
        List<Span> out = new ArrayList<>();
        for (LoggedRequest r : receiver.findAll(postRequestedFor(urlEqualTo("/v1/traces")))) {
            ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(r.getBody());
            for (ResourceSpans rs : export.getResourceSpansList()) {
                assertTrue(rs.getResource().getAttributesList().stream()
                        .anyMatch(a -> a.getKey().equals("service.name") && a.getValue().getStringValue().equals("edge")));
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    out.addAll(ss.getSpansList());
                }
            }
        }
        return out;
    }

    /** The W3C trace-flags' sampled bit. */
    private static boolean sampled(String flags) {
        return (Integer.parseInt(flags, 16) & 1) == 1;
    }

    private static String hex(com.google.protobuf.ByteString b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }

    private static String attribute(Span s, String key) {
        for (KeyValue kv : s.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                return kv.getValue().hasIntValue() ? Long.toString(kv.getValue().getIntValue()) : kv.getValue().getStringValue();
            }
        }
        return null;
    }

    @Test
    void oneSpanPerRequestUnderTheClientsParentWithTheTraceIdInTheAccessLog() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (RunningSluice sluice = RunningSluice.start(config(tracing(1.0), "{ address: \"" + backend.address() + "\" }", ""),
                Ticker.SYSTEM, log); RawHttp raw = new RawHttp(sluice.address())) {
            String seen = raw.send("GET /headers HTTP/1.1\r\nHost: t\r\ntraceparent: 00-" + TRACE + "-" + CLIENT_SPAN
                    + "-01\r\ntracestate: vendor=1\r\n\r\n").read().body();
            Matcher m = TRACEPARENT.matcher(seen);
            assertTrue(m.find(), seen);
            assertEquals(TRACE, m.group(1), "the backend stays in the client's trace");
            assertNotEquals(CLIENT_SPAN, m.group(2), "its parent is Sluice's span, not the client's");
            assertTrue(sampled(m.group(3)), "sampled, as the client asked: " + m.group(3));
            assertTrue(seen.contains("tracestate: vendor=1"), seen);
            String sluiceSpan = m.group(2);

            assertEquals(200, raw.send("GET /other/headers HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            assertEquals(200, raw.send("GET /other HTTP/1.1\r\nHost: t\r\n\r\n").read().status());

            await().atMost(Duration.ofSeconds(10)).until(() -> spans().size() >= 3);
            List<Span> spans = spans();
            assertEquals(3, spans.size(), "one span per request: " + spans);
            Span first = spans.stream().filter(s -> hex(s.getTraceId()).equals(TRACE)).findFirst().orElseThrow();
            assertEquals(CLIENT_SPAN, hex(first.getParentSpanId()));
            assertEquals(sluiceSpan, hex(first.getSpanId()));
            assertEquals(Span.SpanKind.SPAN_KIND_SERVER, first.getKind());
            assertEquals("200", attribute(first, "http.response.status_code"));
            assertEquals("/headers", attribute(first, "sluice.route"));
            assertEquals("c", attribute(first, "sluice.cluster"));
            assertEquals(backend.address(), attribute(first, "sluice.node"));
            assertEquals("/headers", attribute(first, "url.path"));
            assertEquals("127.0.0.1", attribute(first, "client.address"));
            for (Span s : spans) {
                if (s != first) {
                    assertTrue(s.getParentSpanId().isEmpty(), "a request without traceparent starts a trace");
                    assertNotEquals(TRACE, hex(s.getTraceId()));
                    assertEquals("/", attribute(s, "sluice.route"));
                }
            }
            await().until(() -> sluice.server().ingress().accessLog().written() >= 3);
            String lines = log.toString(StandardCharsets.UTF_8);
            assertTrue(lines.contains("\"trace\":\"" + TRACE + "\""), lines);
            for (Span s : spans) {
                assertTrue(lines.contains("\"trace\":\"" + hex(s.getTraceId()) + "\""), lines);
            }
        }
    }

    @Test
    void aRetryIsAnEventOnTheRequestsSpan() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort(); // closed again: connecting is refused
        }
        String backends = "{ address: \"127.0.0.1:" + dead + "\" }, { address: \"" + backend.address() + "\" }";
        try (RunningSluice sluice = RunningSluice.start(config(tracing(1.0), backends, "retries: { attempts: 2, budgetPercent: 100 },"));
                RawHttp raw = new RawHttp(sluice.address())) {
            for (int i = 0; i < 4; i++) {
                RawHttp.Response r = raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(200, r.status(), r.body() + " dead=" + dead + " live=" + backend.address());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> spans().size() >= 4);
            List<Span> retried = spans().stream().filter(s -> !s.getEventsList().isEmpty()).toList();
            assertTrue(!retried.isEmpty(), "a request went to the dead node first: " + spans());
            for (Span s : retried) {
                Span.Event e = s.getEvents(0);
                assertEquals("retry", e.getName());
                assertEquals("2", attribute(s, "sluice.attempts"));
                assertEquals(backend.address(), attribute(s, "sluice.node"));
                assertTrue(e.getAttributesList().stream().anyMatch(a -> a.getKey().equals("sluice.attempt") && a.getValue().getIntValue() == 1),
                        e.toString());
            }
        }
    }

    @Test
    void aWebSocketsSpanEndsWithItsSwitchOfProtocols() throws Exception {
        try (WebSocketBackend ws = WebSocketBackend.start("ws");
                RunningSluice sluice = RunningSluice.start(config(tracing(1.0), "{ address: \"" + ws.address() + "\" }", ""))) {
            CompletableFuture<String> echoed = new CompletableFuture<>();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + sluice.address().getPort() + "/ws/chat"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            echoed.complete(data.toString());
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
            assertTrue(echoed.get(10, TimeUnit.SECONDS).contains("hello"));
            await().atMost(Duration.ofSeconds(10)).until(() -> spans().size() >= 1);
            Span s = spans().get(0);
            assertEquals("101", attribute(s, "http.response.status_code"), s.toString());
            assertEquals(Status.StatusCode.STATUS_CODE_UNSET, s.getStatus().getCode(), "a switch of protocols is no error");
            socket.abort();
        }
    }

    @Test
    void unsampledRequestsExportNothingButStillCarryTheContext() throws Exception {
        try (RunningSluice sluice = RunningSluice.start(config(tracing(0.0), "{ address: \"" + backend.address() + "\" }", ""));
                RawHttp raw = new RawHttp(sluice.address())) {
            String seen = raw.send("GET /headers HTTP/1.1\r\nHost: t\r\n\r\n").read().body();
            Matcher m = TRACEPARENT.matcher(seen);
            assertTrue(m.find(), seen);
            assertFalse(sampled(m.group(3)), "not sampled, and the backend is told so: " + m.group(3));
            // A client's sampled flag is followed whatever the ratio: that span is exported.
            raw.send("GET /headers HTTP/1.1\r\nHost: t\r\ntraceparent: 00-" + TRACE + "-" + CLIENT_SPAN + "-01\r\n\r\n").read();
            await().atMost(Duration.ofSeconds(10)).until(() -> spans().size() >= 1);
            assertEquals(List.of(TRACE), spans().stream().map(s -> hex(s.getTraceId())).toList());
        }
    }

    @Test
    void withoutTracingTheClientsTraceparentPassesUntouched() throws Exception {
        try (RunningSluice sluice = RunningSluice.start(config("", "{ address: \"" + backend.address() + "\" }", ""));
                RawHttp raw = new RawHttp(sluice.address())) {
            String header = "traceparent: 00-" + TRACE + "-" + CLIENT_SPAN + "-01";
            assertTrue(raw.send("GET /headers HTTP/1.1\r\nHost: t\r\n" + header + "\r\n\r\n").read().body().contains(header));
            assertEquals(null, sluice.server().ingress().tracing());
        }
    }
}

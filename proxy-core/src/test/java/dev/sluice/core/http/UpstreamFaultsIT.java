package dev.sluice.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.upstream.Node;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a client sees when the upstream misbehaves, provoked by a real WireMock backend. */
class UpstreamFaultsIT {

    private static WireMockServer wiremock;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        wiremock = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        wiremock.start();
        wiremock.stubFor(get(urlEqualTo("/ok")).willReturn(aResponse().withStatus(200).withBody("fine")));
        wiremock.stubFor(get(urlEqualTo("/reset")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        wiremock.stubFor(get(urlEqualTo("/empty")).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        wiremock.stubFor(get(urlEqualTo("/garbage")).willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
        wiremock.stubFor(get(urlEqualTo("/bad-chunk")).willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
        wiremock.stubFor(get(urlEqualTo("/delay")).willReturn(aResponse().withStatus(200).withFixedDelay(3000)));
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: wm } ]
                clusters:
                  - name: wm
                    timeouts: { response: 400ms }
                    backends: [ { address: "127.0.0.1:%d" } ]
                """.formatted(wiremock.port()));
    }

    @AfterAll
    static void stop() {
        sluice.close();
        wiremock.stop();
    }

    @AfterEach
    void nothingLeftInFlight() {
        Node node = sluice.server().clusters().get("wm").nodes().get(0);
        assertEquals(0, node.inFlight(), "in-flight count leaked");
    }

    private static RawHttp.Response fetch(String path) throws IOException {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            return raw.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").read();
        }
    }

    @Test
    void resetBeforeResponseIs502() throws Exception {
        RawHttp.Response r = fetch("/reset");
        assertEquals(502, r.status());
        assertTrue(r.body().matches("upstream 127\\.0\\.0\\.1:\\d+ (reset|closed) the connection before responding\n"), r.body());
    }

    @Test
    void emptyResponseIs502() throws Exception {
        RawHttp.Response r = fetch("/empty");
        assertEquals(502, r.status());
        assertTrue(r.body().contains("before responding"), r.body());
    }

    @Test
    void garbageInsteadOfHttpIs502() throws Exception {
        RawHttp.Response r = fetch("/garbage");
        assertEquals(502, r.status());
        assertTrue(r.body().startsWith("upstream 127.0.0.1:"), r.body());
    }

    @Test
    void delayPastTheResponseTimeoutIs504() throws Exception {
        RawHttp.Response r = fetch("/delay");
        assertEquals(504, r.status());
        assertTrue(r.body().contains("sent no response within 400ms"), r.body());
    }

    @Test
    void truncatedResponseClosesTheClientConnection() throws Exception {
        try (RawHttp raw = new RawHttp(sluice.address())) {
            raw.send("GET /bad-chunk HTTP/1.1\r\nHost: t\r\n\r\n");
            // The head was already relayed; the body cannot be completed, so the client must see the connection end.
            assertThrows(Exception.class, raw::read);
        }
    }

    @Test
    void healthyRequestAfterTheFaultsStillWorks() throws Exception {
        RawHttp.Response r = fetch("/ok");
        assertEquals(200, r.status());
        assertEquals("fine", r.body());
    }
}

package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RawOrigin;
import dev.sluice.core.testing.RunningSluice;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 10, defect 7: a path is normalised before it is routed, the normalised path is what the
 * origin gets, and a prefix matches whole segments, so {@code /api/../admin} cannot reach the
 * admin service through the {@code /api} route and {@code /api} does not match {@code /apiary}.
 */
class PathRoutingIT {

    private static RawOrigin api;
    private static RawOrigin rest;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        api = RawOrigin.start();
        rest = RawOrigin.start();
        sluice = RunningSluice.start("""
                listeners:
                  - { name: strict, bind: "127.0.0.1:0" }
                  - { name: raw, bind: "127.0.0.1:0", pathNormalization: "off" }
                admin: { bind: "127.0.0.1:0" }
                routes:
                  - { match: { pathPrefix: /api }, cluster: api }
                  - { match: { pathPrefix: / }, cluster: rest }
                clusters:
                  - { name: api, backends: [ { address: "%s" } ] }
                  - { name: rest, backends: [ { address: "%s" } ] }
                """.formatted(api.address(), rest.address()));
    }

    @AfterAll
    static void stop() throws IOException {
        sluice.close();
        api.close();
        rest.close();
    }

    @BeforeEach
    void forget() {
        api.clear();
        rest.clear();
    }

    private static String get(InetSocketAddress listener, String target) throws IOException {
        try (RawHttp c = new RawHttp(listener)) {
            RawHttp.Response r = c.send("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(200, r.status(), r.body());
            return r.body();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/api/../admin, rest, /admin",
        "/api/%2e%2e/admin, rest, /admin",
        "/api/./x, api, /api/x",
        "/api//x, api, /api/x",
        "/%61pi/x, api, /api/x",
        "/apiary, rest, /apiary",
        "/api, api, /api",
        "/api?q=1, api, /api?q=1",
        "/api%2F..%2Fadmin, rest, /api%2F..%2Fadmin",
    })
    void pathsAreNormalisedThenRoutedBySegment(String target, String cluster, String sent) throws IOException {
        get(sluice.address(), target);
        RawOrigin got = cluster.equals("api") ? api : rest;
        RawOrigin other = cluster.equals("api") ? rest : api;
        assertEquals(1, got.received().size(), target + " should have gone to " + cluster);
        assertEquals(sent, got.received().get(0).target());
        assertTrue(other.received().isEmpty());
    }

    @Test
    void aMalformedEscapeIs400() throws IOException {
        try (RawHttp c = new RawHttp(sluice.address())) {
            RawHttp.Response r = c.send("GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(400, r.status());
            assertEquals("malformed request: malformed percent-encoding in the path\n", r.body());
        }
    }

    @Test
    void withNormalisationOffThePathGoesOnAsItCame() throws IOException {
        get(sluice.server().address("raw"), "/api/../admin");
        assertEquals("/api/../admin", api.received().get(0).target());
    }
}

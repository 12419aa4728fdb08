package dev.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sluice.config.model.HostPort;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 12: with no token (the default) a web page in a browser on the host could stop
 * Sluice with a form POST, and a rebinding name could read {@code /config}. Raw sockets send what a
 * browser would.
 */
class AdminSecurityIT {

    private static RunningSluice sluice;
    private static AdminServer admin;
    private static final AtomicInteger drains = new AtomicInteger();
    private static String self;

    @BeforeAll
    static void start() throws Exception {
        sluice = RunningSluice.start("""
                listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0", allowedHosts: [ sluice-admin.internal ] }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [] } ]
                """);
        admin = new AdminServer(sluice.server(), new HostPort("127.0.0.1", 0), drains::incrementAndGet, null);
        self = "127.0.0.1:" + admin.address().getPort();
    }

    @AfterAll
    static void stop() {
        admin.close();
        sluice.close();
    }

    private static RawHttp.Response send(String raw) throws Exception {
        try (RawHttp c = new RawHttp(admin.address())) {
            return c.send(raw).read();
        }
    }

    @Test
    void aCrossSiteFormPostCannotDrain() throws Exception {
        RawHttp.Response r = send("POST /drain HTTP/1.1\r\nHost: " + self + "\r\nOrigin: http://evil.example\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n");
        assertEquals(403, r.status(), r.body());
        assertEquals(0, drains.get());
        assertFalse(admin.draining());
        RawHttp.Response opaque = send("POST /drain HTTP/1.1\r\nHost: " + self + "\r\nOrigin: null\r\nContent-Length: 0\r\n\r\n");
        assertEquals(403, opaque.status(), opaque.body());
        RawHttp.Response fetch = send("GET /stats HTTP/1.1\r\nHost: " + self + "\r\nSec-Fetch-Site: cross-site\r\n\r\n");
        assertEquals(403, fetch.status(), fetch.body());
        assertFalse(admin.draining());
    }

    @Test
    void aRebindingNameIsMisdirected() throws Exception {
        RawHttp.Response r = send("GET /config HTTP/1.1\r\nHost: attacker.example:" + admin.address().getPort() + "\r\n\r\n");
        assertEquals(421, r.status(), r.body());
        assertEquals(421, send("GET /stats HTTP/1.1\r\nHost: attacker.example\r\n\r\n").status());
    }

    @Test
    void itsOwnNamesAndSameOriginRequestsAreServed() throws Exception {
        assertEquals(200, send("GET /config HTTP/1.1\r\nHost: " + self + "\r\n\r\n").status());
        assertEquals(200, send("GET /stats HTTP/1.1\r\nHost: localhost:" + admin.address().getPort() + "\r\n\r\n").status());
        assertEquals(200, send("GET /stats HTTP/1.1\r\nHost: sluice-admin.internal\r\n\r\n").status());
        assertEquals(200, send("GET /health/live HTTP/1.1\r\nHost: [::1]:" + admin.address().getPort() + "\r\n\r\n").status());
        assertEquals(200, send("GET /stats HTTP/1.1\r\nHost: " + self + "\r\nOrigin: http://" + self + "\r\n\r\n").status(),
                "the dashboard's own fetches are same-origin");
        assertEquals(409, send("POST /reload HTTP/1.1\r\nHost: " + self + "\r\nContent-Length: 0\r\n\r\n").status(),
                "a POST from this host without a token is taken (409: no file to reload)");
    }
}

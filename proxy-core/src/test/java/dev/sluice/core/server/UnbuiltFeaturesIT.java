package dev.sluice.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.ConfigException;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 13: a listener with {@code tls} served cleartext on the port meant for TLS, and
 * {@code protocol: h2} quietly spoke HTTP/1.1. What is not built fails start and reload, with key
 * and line, and nothing else changes; TLS is built (issue 11), and a listener whose certificate
 * cannot be read still never starts in cleartext.
 */
class UnbuiltFeaturesIT {

    private static final String TLS = """
            listeners:
              - name: edge
                bind: "127.0.0.1:0"
                tls: { certificate: /etc/sluice/tls.crt, privateKey: /etc/sluice/tls.key }
            admin: { bind: "127.0.0.1:0" }
            routes: [ { match: { pathPrefix: / }, cluster: c } ]
            clusters: [ { name: c, backends: [] } ]
            """;

    @Test
    void aTlsListenerWithoutItsCertificateDoesNotStartInCleartext() {
        ConfigException e = assertThrows(ConfigException.class, () -> RunningSluice.start(TLS).close());
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("listeners[0].tls (line 4): /etc/sluice/tls.crt cannot be read"), e.getMessage());
    }

    @Test
    void aReloadAskingForH2UpstreamsIsRefused() throws Exception {
        try (TestBackend b = TestBackend.start("b");
                RunningSluice sluice = RunningSluice.start("""
                        listeners: [ { name: edge, bind: "127.0.0.1:0" } ]
                        admin: { bind: "127.0.0.1:0" }
                        routes: [ { match: { pathPrefix: / }, cluster: c } ]
                        clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                        """.formatted(b.address()))) {
            ProxyConfig running = sluice.server().config();
            ConfigException e = assertThrows(ConfigException.class, () -> sluice.reload("""
                    listeners: [ { name: edge, bind: "127.0.0.1:0" } ]
                    admin: { bind: "127.0.0.1:0" }
                    routes: [ { match: { pathPrefix: / }, cluster: c } ]
                    clusters: [ { name: c, protocol: h2, backends: [ { address: "%s" } ] } ]
                    """.formatted(b.address())));
            assertTrue(e.getMessage().contains("clusters[0].protocol (line 4): h2 upstreams are not built yet"), e.getMessage());
            assertSame(running, sluice.server().config());
            try (RawHttp c = new RawHttp(sluice.address())) {
                assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            }
        }
    }
}

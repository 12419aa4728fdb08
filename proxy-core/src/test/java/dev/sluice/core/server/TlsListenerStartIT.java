package dev.sluice.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.ConfigException;
import dev.sluice.core.testing.RunningSluice;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 13: a listener with {@code tls} served cleartext on the port meant for TLS. TLS
 * is built (issue 11); a listener whose certificate cannot be read still never starts in cleartext.
 */
class TlsListenerStartIT {

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

}

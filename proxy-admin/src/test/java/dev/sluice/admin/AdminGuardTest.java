package dev.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.config.model.AdminConfig;
import dev.sluice.config.model.HostPort;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peer rules of {@link AdminGuard}, which a test on one host cannot exercise over sockets. */
class AdminGuardTest {

    private static final AdminConfig NO_TOKEN = new AdminConfig(new HostPort("0.0.0.0", 9901), 1.3, "", List.of());
    private static final AdminConfig TOKEN = new AdminConfig(new HostPort("0.0.0.0", 9901), 1.3, "s3cret", List.of());

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void withoutATokenOnlyThisHostMayPost() throws Exception {
        InetAddress pod = ip("10.1.2.3");
        assertNull(AdminGuard.check(NO_TOKEN, true, "10.1.2.3:9901", null, null, null, ip("127.0.0.1"), pod));
        assertNull(AdminGuard.check(NO_TOKEN, true, "10.1.2.3:9901", null, null, null, pod, pod), "the pod's own preStop");
        assertEquals(403, AdminGuard.check(NO_TOKEN, true, "10.1.2.3:9901", null, null, null, ip("10.9.9.9"), pod).status().code());
        assertNull(AdminGuard.check(NO_TOKEN, false, "10.1.2.3:9901", null, null, null, ip("10.9.9.9"), pod), "GETs from anywhere");
    }

    @Test
    void withATokenAnyPeerWithTheTokenMayPost() throws Exception {
        InetAddress pod = ip("10.1.2.3");
        assertNull(AdminGuard.check(TOKEN, true, "10.1.2.3", null, null, "Bearer s3cret", ip("10.9.9.9"), pod));
        assertEquals(401, AdminGuard.check(TOKEN, true, "10.1.2.3", null, null, null, ip("127.0.0.1"), pod).status().code());
        assertEquals(401, AdminGuard.check(TOKEN, true, "10.1.2.3", null, null, "Bearer wrong", pod, pod).status().code());
    }

    @Test
    void aWildcardBindAnswersToTheAddressConnectedToButNotToOtherNames() throws Exception {
        InetAddress pod = ip("10.1.2.3");
        assertNull(AdminGuard.check(NO_TOKEN, false, "10.1.2.3:9901", null, null, null, ip("10.9.9.9"), pod));
        assertEquals(421, AdminGuard.check(NO_TOKEN, false, "10.4.4.4:9901", null, null, null, ip("10.9.9.9"), pod).status().code());
        assertEquals(421, AdminGuard.check(NO_TOKEN, false, "rebind.example", null, null, null, ip("127.0.0.1"), pod).status().code());
    }
}

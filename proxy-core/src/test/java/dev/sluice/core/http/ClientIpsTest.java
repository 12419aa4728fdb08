package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientIpsTest {

    private final ClientIps trusted = new ClientIps(List.of("10.0.0.0/8", "192.168.1.7", "2001:db8::/32"));

    @Test
    void rightMostUntrustedEntryIsTheClient() {
        assertEquals("203.0.113.5", trusted.fromForwardedFor("10.1.1.1", "198.51.100.1, 203.0.113.5, 10.2.2.2"));
        assertEquals("203.0.113.5", trusted.fromForwardedFor("10.1.1.1", "203.0.113.5"));
        assertEquals("2001:db9::1", trusted.fromForwardedFor("10.1.1.1", "2001:db9::1, 2001:db8::5"));
    }

    @Test
    void allTrustedGivesTheLeftMostAndGarbageGivesThePeer() {
        assertEquals("10.9.9.9", trusted.fromForwardedFor("10.1.1.1", "10.9.9.9, 192.168.1.7"));
        assertEquals("10.1.1.1", trusted.fromForwardedFor("10.1.1.1", "evil.example, 10.2.2.2"));
    }

    @Test
    void cidrMembership() {
        assertTrue(trusted.isTrusted(new byte[] {10, 20, 30, 40}));
        assertTrue(trusted.isTrusted(new byte[] {(byte) 192, (byte) 168, 1, 7}));
        assertFalse(trusted.isTrusted(new byte[] {(byte) 192, (byte) 168, 1, 8}));
        assertFalse(ClientIps.NONE.isTrusted(new byte[] {10, 0, 0, 1}));
    }
}

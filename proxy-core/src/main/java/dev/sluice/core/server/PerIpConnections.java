package dev.sluice.core.server;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections of one listener by client address, for {@code listeners[].maxConnectionsPerIp}.
 * Every connection is counted (also while the limit is off, so a reload that turns it on counts
 * the connections already open); an address leaves the map with its last connection, so the map
 * never holds more entries than the listener has connections. Thread-safe.
 */
final class PerIpConnections {

    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    /** Counts a new connection from {@code ip}; false, and not counted, when it has {@code max} already (0: no limit). */
    boolean tryOpen(InetAddress ip, int max) {
        boolean[] admitted = {false};
        open.compute(ip, (k, n) -> {
            int count = n == null ? 0 : n;
            if (max > 0 && count >= max) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        return admitted[0];
    }

    /** A connection from {@code ip} counted by {@link #tryOpen} closed. */
    void closed(InetAddress ip) {
        open.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }
}

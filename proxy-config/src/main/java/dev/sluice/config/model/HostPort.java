package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

/**
 * A host and port as written in the configuration: {@code 10.0.0.1:8080}, {@code [::1]:8080},
 * {@code orders-3.internal:8080}. The host is kept as text; names are resolved by the core,
 * never while loading or checking a file.
 */
public record HostPort(String host, int port) {

    public HostPort {
        requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected: an IP address or host name)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
    }

    /** True for {@code 0.0.0.0} and {@code ::}, which bind every interface. */
    public boolean isWildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("*");
    }

    /** True when a server bound to {@code this} and one bound to {@code other} would share a socket address. */
    public boolean overlaps(HostPort other) {
        if (port != other.port || port == 0) {
            return false;
        }
        return isWildcard() || other.isWildcard() || host.equalsIgnoreCase(other.host);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}

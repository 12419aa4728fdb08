package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record ListenerConfig(
        @Key(doc = "unique listener name", required = true) String name,
        @Key(doc = "address:port to accept HTTP/1.1 and h2c on (HTTP/1.1 and h2 with tls)", required = true) HostPort bind,
        @Key(doc = "TLS 1.2 and 1.3 with ALPN h2 and http/1.1, SNI, certificates reloaded on change", absent = "cleartext") TlsConfig tls,
        @Key(doc = "open connections; excess ones are closed at accept", value = "10000", min = 1) int maxConnections,
        @Key(doc = "open connections from one client address; excess ones are closed at accept. 0 = no limit", value = "0", min = 0)
        int maxConnectionsPerIp,
        @Key(doc = "request line plus headers; over it: 431", value = "16KiB", min = 1024) ByteSize maxHeaderBytes,
        @Key(doc = "request body; over it: 413 (counted while streaming)", value = "5MiB") ByteSize maxRequestBodyBytes,
        @Key(doc = "whole request, client and upstream: 408 or 504", value = "30s") Duration requestTimeout,
        @Key(doc = "the request head must arrive within this: 408", value = "10s") Duration headerTimeout,
        @Key(doc = "keep-alive connections idle this long are closed", value = "60s") Duration idleTimeout,
        @Key(doc = "HTTP/2 limits") Http2Config http2,
        @Key(doc = "strict: percent-encoded unreserved characters decoded, dot segments removed and // merged before routing, "
                + "and the normalised path sent on (Envoy's normalize_path and merge_slashes); off: the path as it came",
                value = "strict") PathNormalization pathNormalization) {

    public ListenerConfig {
        requireNonNull(name, "name");
        requireNonNull(bind, "bind");
        requireNonNull(maxHeaderBytes, "maxHeaderBytes");
        requireNonNull(maxRequestBodyBytes, "maxRequestBodyBytes");
        requireNonNull(requestTimeout, "requestTimeout");
        requireNonNull(headerTimeout, "headerTimeout");
        requireNonNull(idleTimeout, "idleTimeout");
        requireNonNull(http2, "http2");
        requireNonNull(pathNormalization, "pathNormalization");
    }
}

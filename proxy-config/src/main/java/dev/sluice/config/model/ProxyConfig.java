package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** The whole configuration: one immutable snapshot. A reload builds a new one and swaps it whole. */
public record ProxyConfig(
        @Key(doc = "process-wide settings") ServerConfig server,
        @Key(doc = "public listeners; at least one", required = true) List<ListenerConfig> listeners,
        @Key(doc = "admin port") AdminConfig admin,
        @Key(doc = "global in-flight limit answered with 429") SheddingConfig shedding,
        @Key(doc = "token-bucket rate limits") RateLimitsConfig rateLimits,
        @Key(doc = "host/path/header routes, first match wins", required = true) List<RouteConfig> routes,
        @Key(doc = "backend clusters", required = true) List<ClusterConfig> clusters,
        @Key(doc = "per-request log lines") AccessLogConfig accessLog,
        @Key(doc = "feedback on hot nodes") HotSpotConfig hotSpot,
        @Key(doc = "OpenTelemetry spans over OTLP/HTTP, with W3C trace context", absent = "off") TracingConfig tracing) {

    public ProxyConfig {
        requireNonNull(server, "server");
        listeners = List.copyOf(listeners);
        requireNonNull(admin, "admin");
        requireNonNull(shedding, "shedding");
        requireNonNull(rateLimits, "rateLimits");
        routes = List.copyOf(routes);
        clusters = List.copyOf(clusters);
        requireNonNull(accessLog, "accessLog");
        requireNonNull(hotSpot, "hotSpot");
    }
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** Distributed tracing: one OpenTelemetry server span per request, exported over OTLP/HTTP. */
public record TracingConfig(
        @Key(doc = "OTLP/HTTP traces endpoint (http:// or https://), e.g. http://otel-collector:4318/v1/traces", required = true)
        String endpoint,
        @Key(doc = "share of the traces started here that are recorded; a traceparent's sampled flag is followed", value = "1.0",
                min = 0.0, max = 1.0) double samplingRatio,
        @Key(doc = "service.name of the spans", value = "sluice") String serviceName,
        @Key(doc = "longest one export may take", value = "10s") Duration exportTimeout) {

    public TracingConfig {
        requireNonNull(endpoint, "endpoint");
        requireNonNull(serviceName, "serviceName");
        requireNonNull(exportTimeout, "exportTimeout");
    }
}

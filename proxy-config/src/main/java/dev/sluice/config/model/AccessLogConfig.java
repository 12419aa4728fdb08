package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

public record AccessLogConfig(
        @Key(doc = "one line per request on stdout", value = "true") boolean enabled,
        @Key(doc = "line format", value = "json") AccessLogFormat format) {

    public AccessLogConfig {
        requireNonNull(format, "format");
    }
}

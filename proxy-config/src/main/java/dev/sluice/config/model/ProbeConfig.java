package dev.sluice.config.model;

import java.time.Duration;

/** Prequal's asynchronous probes: a request to {@code path} on a node every {@code interval}. Not built yet. */
public record ProbeConfig(
        @Key(doc = "the path probed", value = "/") String path,
        @Key(doc = "how often each node is probed", value = "100ms") Duration interval) {
}

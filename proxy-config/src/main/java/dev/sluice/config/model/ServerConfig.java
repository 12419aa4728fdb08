package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

public record ServerConfig(
        @Key(doc = "event-loop threads; 0 = one per core. Both sides of a request share one loop", value = "0", min = 0, max = 1024)
        int eventLoopThreads,
        @Key(doc = "how long in-flight requests may finish on SIGTERM or POST /drain", value = "5s")
        Duration drainTimeout) {

    public ServerConfig {
        requireNonNull(drainTimeout, "drainTimeout");
    }
}

package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

public record ServerConfig(
        @Key(doc = "event-loop threads; 0 = one per core. Both sides of a request share one loop", value = "0", min = 0, max = 1024)
        int eventLoopThreads,
        @Key(doc = "how long in-flight requests may finish on SIGTERM or POST /drain", value = "5s")
        Duration drainTimeout,
        @Key(doc = "CIDRs of proxies in front of Sluice: behind them the client IP is the right-most untrusted X-Forwarded-For entry")
        List<String> trustedProxies,
        @Key(doc = "how often the --config file is checked; a changed file is reloaded as SIGHUP or POST /reload would. 0s = never",
                value = "1s")
        Duration configWatchInterval) {

    public ServerConfig {
        requireNonNull(drainTimeout, "drainTimeout");
        requireNonNull(configWatchInterval, "configWatchInterval");
        trustedProxies = List.copyOf(trustedProxies);
    }
}

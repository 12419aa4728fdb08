package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** HTTP/2 limits of a listener; the per-stream body and header limits are the listener's own. */
public record Http2Config(
        @Key(doc = "streams one connection may have open; more are refused (REFUSED_STREAM)", value = "256", min = 1, max = 65535)
        int maxConcurrentStreams,
        @Key(doc = "RST_STREAM frames a client may send per resetWindow before GOAWAY (ENHANCE_YOUR_CALM): rapid reset", value = "200", min = 1)
        int maxResetsPerWindow,
        @Key(doc = "the window for maxResetsPerWindow", value = "30s") Duration resetWindow) {

    public Http2Config {
        requireNonNull(resetWindow, "resetWindow");
    }
}

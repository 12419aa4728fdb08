package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.util.Map;

public record RouteMatch(
        @Key(doc = "exact host or *.suffix, case-insensitive, port ignored", absent = "any host") String host,
        @Key(doc = "path prefix, matching whole segments: /api takes /api and /api/x, not /apiary", value = "/") String pathPrefix,
        @Key(doc = "headers that must be present with exactly these values") Map<String, String> headers) {

    public RouteMatch {
        requireNonNull(pathPrefix, "pathPrefix");
        headers = Map.copyOf(headers);
    }
}

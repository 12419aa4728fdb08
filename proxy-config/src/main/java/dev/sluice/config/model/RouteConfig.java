package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

public record RouteConfig(
        @Key(doc = "what a request must match", required = true) RouteMatch match,
        @Key(doc = "name of the cluster that serves it", required = true) String cluster) {

    public RouteConfig {
        requireNonNull(match, "match");
        requireNonNull(cluster, "cluster");
    }
}

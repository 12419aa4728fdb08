package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

public record RateOverride(
        @Key(doc = "sustained rate for this partition", required = true) Rate rate,
        @Key(doc = "bucket size for this partition", required = true, min = 1) int burst) {

    public RateOverride {
        requireNonNull(rate, "rate");
    }
}

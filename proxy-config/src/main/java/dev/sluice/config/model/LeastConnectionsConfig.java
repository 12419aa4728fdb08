package dev.sluice.config.model;

public record LeastConnectionsConfig(
        @Key(doc = "clusters up to this size are scanned in full; larger ones use power-of-two-choices", value = "10", min = 2)
        int fullScanMaxNodes) {
}

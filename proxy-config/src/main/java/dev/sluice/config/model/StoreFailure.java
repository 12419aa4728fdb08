package dev.sluice.config.model;

/**
 * What the shared rate limits do while Redis is down or slower than its timeout: {@code local}
 * buckets at the configured rate divided by the replicas last seen, {@code open} (admit every
 * request), or {@code closed} (refuse every request that a limit applies to, with 429).
 */
public enum StoreFailure implements YamlName {
    LOCAL("local"),
    OPEN("open"),
    CLOSED("closed");

    private final String yamlName;

    StoreFailure(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }
}

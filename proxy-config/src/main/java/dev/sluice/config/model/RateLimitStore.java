package dev.sluice.config.model;

/** Where the rate-limit buckets live: in this process, or in Redis, shared by every replica. */
public enum RateLimitStore implements YamlName {
    LOCAL("local"),
    REDIS("redis");

    private final String yamlName;

    RateLimitStore(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }
}

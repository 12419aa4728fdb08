package dev.sluice.config.model;

/** What a listener does to a request's path before routing it and sending it on. */
public enum PathNormalization implements YamlName {
    /** RFC 3986: percent-encoded unreserved characters decoded, dot segments removed, {@code //} merged. */
    STRICT("strict"),
    /** The path is routed and sent on exactly as it came. */
    OFF("off");

    private final String yamlName;

    PathNormalization(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }
}

package dev.sluice.config.model;

/** How Sluice speaks to a cluster's backends. */
public enum UpstreamProtocol implements YamlName {
    HTTP1("http1"),
    H2("h2");

    private final String yamlName;

    UpstreamProtocol(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }
}

package dev.sluice.config.model;

/** Access log line formats. */
public enum AccessLogFormat implements YamlName {
    JSON("json");

    private final String yamlName;

    AccessLogFormat(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }
}

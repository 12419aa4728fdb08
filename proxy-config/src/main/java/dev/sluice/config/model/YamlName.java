package dev.sluice.config.model;

/** An enum whose constants are written in YAML under a name of their own, such as {@code least-connections}. */
public interface YamlName {
    String yamlName();
}

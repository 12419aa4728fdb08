package dev.sluice.config.load;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.ProxyConfig;

/** A valid configuration with the lines its keys came from, and the text it was read from (a reload compares it). */
public record LoadedConfig(ProxyConfig config, SourceMap sourceMap, String source, String text) {

    public LoadedConfig {
        requireNonNull(config, "config");
        requireNonNull(sourceMap, "sourceMap");
        requireNonNull(source, "source");
        requireNonNull(text, "text");
    }
}

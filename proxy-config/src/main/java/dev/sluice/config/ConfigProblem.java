package dev.sluice.config;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong (or worth a warning) in a configuration, tied to its key path and, when the
 * configuration came from a file, the line. Prints as {@code path.to.key (line N): what is wrong}.
 *
 * @param path key path such as {@code clusters[1].backends[0].weight}; empty for the whole file
 * @param line 1-based line, or 0 when unknown (configuration built in code)
 */
public record ConfigProblem(String path, int line, String message) {

    public ConfigProblem {
        requireNonNull(path, "path");
        requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        String where = path.isEmpty() ? "(file)" : path;
        return line > 0 ? where + " (line " + line + "): " + message : where + ": " + message;
    }
}

package dev.sluice.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Debian tools some tests drive (chromium, curl, openssl), which {@code .ci/run} installs when
 * missing: outside CI a test that needs a missing one is skipped; in CI it must be there.
 */
public final class DebianTools {

    private DebianTools() {
    }

    /** The path of {@code /usr/bin/<tool>}, after the check above. */
    public static Path need(String tool) {
        Path path = Path.of("/usr/bin", tool);
        boolean there = Files.isExecutable(path);
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(there, "no " + tool + " here (.ci/run installs it)");
        }
        assertTrue(there, "CI must have " + tool + ": .ci/run installs Debian's " + tool);
        return path;
    }
}

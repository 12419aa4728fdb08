package dev.sluice.config.model;

/**
 * A size in bytes, written in YAML as {@code 512}, {@code 512B}, {@code 16KiB}, {@code 5MiB}
 * or {@code 1GiB} (binary units; {@code KB}, {@code MB}, {@code GB} are decimal).
 */
public record ByteSize(long bytes) {

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
        }
    }

    public static ByteSize ofBytes(long bytes) {
        return new ByteSize(bytes);
    }

    /** Bytes as an int, saturated at {@link Integer#MAX_VALUE}. */
    public int toIntSaturated() {
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    @Override
    public String toString() {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return bytes / (1L << 30) + "GiB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return bytes / (1L << 20) + "MiB";
        }
        if (bytes != 0 && bytes % 1024 == 0) {
            return bytes / 1024 + "KiB";
        }
        return bytes + "B";
    }
}

package dev.sluice.config.model;

/**
 * Where a request key (partition, hash key) is read from. Exactly one of the four is set;
 * the validator reports a source with none or several.
 */
public record KeySource(
        @Key(doc = "request header name", absent = "unset") String header,
        @Key(doc = "cookie name", absent = "unset") String cookie,
        @Key(doc = "query parameter name", absent = "unset") String query,
        @Key(doc = "1-based path segment", absent = "unset", min = 1, max = 64) Integer pathSegment) {

    public static KeySource header(String name) {
        return new KeySource(name, null, null, null);
    }

    /** How many of the four sources are set; a valid source has exactly one. */
    public int sourcesSet() {
        return (header != null ? 1 : 0) + (cookie != null ? 1 : 0) + (query != null ? 1 : 0) + (pathSegment != null ? 1 : 0);
    }
}

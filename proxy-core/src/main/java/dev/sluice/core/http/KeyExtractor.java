package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.KeySource;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.Locale;

/**
 * Finds a request key (hash key, partition key) where a {@link KeySource} says: a header, a cookie,
 * a query parameter or a path segment. The key is reported as a region of a string the request
 * already holds, so finding and checking it allocates nothing. A key longer than
 * {@code maxLength} or with a character outside {@code [A-Za-z0-9._:-]} is {@link #INVALID}: such
 * keys are refused (400) rather than hashed, so a client cannot flood a table or ring with crafted
 * keys. Immutable; shared by every event loop.
 */
public final class KeyExtractor {

    public static final int FOUND = 0;
    public static final int MISSING = 1;
    public static final int INVALID = 2;

    private final KeySource source;
    private final AsciiString header;
    private final int maxLength;
    private final String description;

    public KeyExtractor(KeySource source, int maxLength) {
        this.source = requireNonNull(source, "source");
        this.header = source.header() == null ? null : AsciiString.cached(source.header().toLowerCase(Locale.ROOT));
        this.maxLength = maxLength;
        this.description = source.header() != null ? "header " + source.header()
                : source.cookie() != null ? "cookie " + source.cookie()
                : source.query() != null ? "query parameter " + source.query()
                : "path segment " + source.pathSegment();
    }

    /** Where the key is read, for messages: {@code header X-User-Id}. */
    public String description() {
        return description;
    }

    public int maxLength() {
        return maxLength;
    }

    /** Looks for the key in {@code req}; on {@link #FOUND} its place is in {@code out}. */
    public int find(HttpRequest req, KeyRegion out) {
        if (header != null) {
            String v = req.headers().get(header);
            return v == null || v.isEmpty() ? MISSING : check(out.set(v, 0, v.length()));
        }
        if (source.cookie() != null) {
            String cookies = req.headers().get(HttpHeaderNames.COOKIE);
            return cookies == null ? MISSING : pair(cookies, 0, cookies.length(), ';', source.cookie(), out);
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        if (source.query() != null) {
            if (q < 0) {
                return MISSING;
            }
            int end = uri.indexOf('#', q);
            return pair(uri, q + 1, end < 0 ? uri.length() : end, '&', source.query(), out);
        }
        return segment(uri, q < 0 ? uri.length() : q, source.pathSegment(), out);
    }

    /** Finds {@code name=value} among {@code sep}-separated pairs of {@code s[from, to)}. */
    private int pair(String s, int from, int to, char sep, String name, KeyRegion out) {
        int i = from;
        while (i < to) {
            int end = s.indexOf(sep, i);
            if (end < 0 || end > to) {
                end = to;
            }
            int a = i;
            while (a < end && s.charAt(a) == ' ') {
                a++;
            }
            int eq = a + name.length();
            if (eq < end && s.charAt(eq) == '=' && s.regionMatches(a, name, 0, name.length())) {
                int vs = eq + 1;
                int ve = end;
                while (ve > vs && s.charAt(ve - 1) == ' ') {
                    ve--;
                }
                if (ve - vs >= 2 && s.charAt(vs) == '"' && s.charAt(ve - 1) == '"') {
                    vs++;
                    ve--;
                }
                return ve == vs ? MISSING : check(out.set(s, vs, ve));
            }
            i = end + 1;
        }
        return MISSING;
    }

    /** The n-th (1-based) segment of the path {@code uri[0, pathEnd)}. */
    private int segment(String uri, int pathEnd, int n, KeyRegion out) {
        int i = uri.startsWith("/") ? 1 : 0;
        for (int k = 1; i <= pathEnd; k++) {
            int end = uri.indexOf('/', i);
            if (end < 0 || end > pathEnd) {
                end = pathEnd;
            }
            if (k == n) {
                return end == i ? MISSING : check(out.set(uri, i, end));
            }
            if (end == pathEnd) {
                return MISSING;
            }
            i = end + 1;
        }
        return MISSING;
    }

    private int check(KeyRegion r) {
        if (r.length() > maxLength) {
            return INVALID;
        }
        for (int i = r.start(); i < r.end(); i++) {
            if (!isKeyChar(r.text().charAt(i))) {
                return INVALID;
            }
        }
        return FOUND;
    }

    /** {@code [A-Za-z0-9._:-]}: the characters of keys and request ids, safe in headers, logs and JSON. */
    static boolean isKeyChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == ':';
    }
}

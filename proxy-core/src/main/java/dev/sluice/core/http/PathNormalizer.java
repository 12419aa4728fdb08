package dev.sluice.core.http;

import org.jspecify.annotations.Nullable;

/**
 * A request path as routing and the next hop should both read it (RFC 3986 section 6.2.2):
 * percent-encoded unreserved characters are decoded ({@code %2e} is {@code .}, {@code %41} is
 * {@code A}), the hex digits of the other escapes upper-cased, empty segments merged ({@code //}),
 * and dot segments removed ({@code /api/../admin} is {@code /admin}; nothing climbs above the
 * root). An escaped slash ({@code %2F}) or backslash stays escaped, so it never splits a segment;
 * the query is left as it is. Only origin-form targets are touched. Stateless.
 */
final class PathNormalizer {

    private PathNormalizer() {
    }

    /** {@code uri} normalised (the same object when there is nothing to do), or null for a malformed escape. */
    static @Nullable String normalize(String uri) {
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            return uri;
        }
        int query = uri.indexOf('?');
        int end = query < 0 ? uri.length() : query;
        if (!needsWork(uri, end)) {
            return uri;
        }
        StringBuilder decoded = new StringBuilder(end);
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (c != '%') {
                decoded.append(c);
                continue;
            }
            int hi = i + 2 < end ? Character.digit(uri.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(uri.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                return null;
            }
            char v = (char) (hi << 4 | lo);
            if (unreserved(v)) {
                decoded.append(v);
            } else {
                decoded.append('%').append(Character.toUpperCase(uri.charAt(i + 1))).append(Character.toUpperCase(uri.charAt(i + 2)));
            }
            i += 2;
        }
        String path = removeDotSegments(decoded);
        return query < 0 ? path : path + uri.substring(query);
    }

    /** Whether the path {@code uri[0, end)} has an escape, an empty segment or a dot segment. */
    private static boolean needsWork(String uri, int end) {
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (c == '%') {
                return true;
            }
            if (c == '/' && i + 1 < end && (uri.charAt(i + 1) == '/' || (uri.charAt(i + 1) == '.' && dotSegmentAt(uri, i + 1, end)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean dotSegmentAt(CharSequence s, int from, int end) {
        int n = 0;
        while (from + n < end && s.charAt(from + n) == '.') {
            n++;
        }
        return (n == 1 || n == 2) && (from + n == end || s.charAt(from + n) == '/');
    }

    /** Merges empty segments and removes {@code .} and {@code ..} segments of an absolute path. */
    private static String removeDotSegments(CharSequence path) {
        StringBuilder out = new StringBuilder(path.length());
        int n = path.length();
        int i = 1; // the path starts with '/'
        boolean trailingSlash = false;
        while (i <= n) {
            int slash = i;
            while (slash < n && path.charAt(slash) != '/') {
                slash++;
            }
            int len = slash - i;
            boolean last = slash >= n;
            if (len == 0) {
                trailingSlash = last && out.length() > 0;
            } else if (len == 1 && path.charAt(i) == '.') {
                trailingSlash = true;
            } else if (len == 2 && path.charAt(i) == '.' && path.charAt(i + 1) == '.') {
                int cut = out.lastIndexOf("/");
                out.setLength(Math.max(cut, 0));
                trailingSlash = true;
            } else {
                out.append('/').append(path, i, slash);
                trailingSlash = false;
            }
            i = slash + 1;
        }
        if (out.length() == 0 || trailingSlash) {
            out.append('/');
        }
        return out.toString();
    }

    private static boolean unreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    }
}

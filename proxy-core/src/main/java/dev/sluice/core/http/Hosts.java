package dev.sluice.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The one host a request is for (RFC 9112 section 3.2): an absolute-form target's authority
 * replaces {@code Host} and the target is sent on in origin form; otherwise exactly one valid
 * {@code Host} (required in HTTP/1.1). HTTP/2's {@code :authority} arrives as {@code host}; a
 * {@code host} header beside it must say the same, and the two become one. Whatever Sluice routes
 * by is then the only Host the next hop sees. Stateless.
 */
final class Hosts {

    private Hosts() {
    }

    /** Settles the request's host in place; returns why the request is malformed, or null. */
    static @Nullable String settle(HttpRequest req, boolean http2) {
        HttpHeaders h = req.headers();
        String uri = req.uri();
        int authorityStart = absoluteFormAuthority(uri);
        if (authorityStart > 0) {
            int end = authorityStart;
            while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
                end++;
            }
            String authority = uri.substring(authorityStart, end);
            if (!isValid(authority)) {
                return "invalid authority in the request target";
            }
            h.set(HttpHeaderNames.HOST, authority);
            req.setUri(end == uri.length() ? "/" : uri.charAt(end) == '?' ? "/" + uri.substring(end) : uri.substring(end));
            return null;
        }
        String host = h.get(HttpHeaderNames.HOST);
        if (host == null) {
            return http2 || req.protocolVersion() == HttpVersion.HTTP_1_0 ? null : "HTTP/1.1 request without Host";
        }
        List<String> all = h.getAll(HttpHeaderNames.HOST);
        if (all.size() > 1) {
            if (!http2) {
                return "more than one Host";
            }
            for (String other : all) {
                if (!other.equalsIgnoreCase(host)) {
                    return "host differs from :authority";
                }
            }
            h.set(HttpHeaderNames.HOST, host);
        }
        return isValid(host) ? null : "invalid Host";
    }

    /** Where the authority of an {@code http://} or {@code https://} target begins, or -1. */
    private static int absoluteFormAuthority(String uri) {
        if (uri.isEmpty() || uri.charAt(0) == '/') {
            return -1;
        }
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            return 7;
        }
        return uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
    }

    /**
     * {@code uri-host [":" port]}: an IP literal in brackets, or a reg-name / IPv4 address of
     * unreserved, sub-delims and percent-encoded characters, not empty; the port all digits.
     */
    static boolean isValid(String authority) {
        int n = authority.length();
        int i = 0;
        if (n > 0 && authority.charAt(0) == '[') {
            int close = authority.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (i = 1; i < close; i++) {
                char c = authority.charAt(i);
                if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < n && authority.charAt(i) != ':') {
                char c = authority.charAt(i);
                if (c == '%') {
                    if (i + 2 >= n || Character.digit(authority.charAt(i + 1), 16) < 0 || Character.digit(authority.charAt(i + 2), 16) < 0) {
                        return false;
                    }
                    i += 3;
                    continue;
                }
                if (!regNameChar(c)) {
                    return false;
                }
                i++;
            }
            if (i == 0) {
                return false;
            }
        }
        if (i == n) {
            return true;
        }
        if (authority.charAt(i) != ':') {
            return false;
        }
        for (i++; i < n; i++) {
            char c = authority.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean regNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=".indexOf(c) >= 0;
    }
}

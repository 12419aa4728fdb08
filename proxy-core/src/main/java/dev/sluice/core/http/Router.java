package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.RouteConfig;
import dev.sluice.core.upstream.Cluster;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Host, path-prefix and header routes; the first match wins. A path prefix matches whole segments
 * of the (normalised) path. Immutable and shared by every event loop. A host is an exact name or {@code *.suffix} (which matches {@code a.suffix}, never the
 * bare suffix), compared case-insensitively with any port removed.
 */
public final class Router {

    private final Route[] routes;

    public Router(List<RouteConfig> configs, Map<String, Cluster> clusters) {
        routes = new Route[configs.size()];
        for (int i = 0; i < routes.length; i++) {
            RouteConfig c = configs.get(i);
            Cluster cluster = requireNonNull(clusters.get(c.cluster()), c.cluster());
            routes[i] = new Route(c, cluster);
        }
    }

    /** The cluster for {@code request}, or null when no route matches. */
    public @Nullable Cluster route(HttpRequest request) {
        int i = match(request);
        return i < 0 ? null : routes[i].cluster;
    }

    /** The index of the first route that takes {@code request}, or -1. */
    public int match(HttpRequest request) {
        HttpHeaders headers = request.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        String uri = request.uri();
        for (int i = 0; i < routes.length; i++) {
            if (routes[i].matches(host, uri, headers)) {
                return i;
            }
        }
        return -1;
    }

    /** The cluster of route {@code i}. */
    public Cluster cluster(int i) {
        return routes[i].cluster;
    }

    /** Route {@code i}'s match as a trace shows it: {@code [host]pathPrefix}, made once. */
    public String describe(int i) {
        return routes[i].description;
    }

    private static final class Route {
        private final @Nullable String host;
        private final boolean suffix;
        private final String pathPrefix;
        private final AsciiString[] headerNames;
        private final String[] headerValues;
        private final Cluster cluster;
        private final String description;

        Route(RouteConfig c, Cluster cluster) {
            this.description = (c.match().host() == null ? "" : c.match().host()) + c.match().pathPrefix();
            String h = c.match().host();
            this.suffix = h != null && h.startsWith("*.");
            this.host = h == null ? null : (suffix ? h.substring(1) : h).toLowerCase(Locale.ROOT);
            this.pathPrefix = c.match().pathPrefix();
            this.headerNames = new AsciiString[c.match().headers().size()];
            this.headerValues = new String[headerNames.length];
            int i = 0;
            for (Map.Entry<String, String> e : c.match().headers().entrySet()) {
                headerNames[i] = AsciiString.cached(e.getKey().toLowerCase(Locale.ROOT));
                headerValues[i++] = e.getValue();
            }
            this.cluster = cluster;
        }

        boolean matches(@Nullable String requestHost, String uri, HttpHeaders headers) {
            if (!prefixMatches(uri, pathPrefix)) {
                return false;
            }
            if (host != null && (requestHost == null || !hostMatches(requestHost))) {
                return false;
            }
            for (int i = 0; i < headerNames.length; i++) {
                if (!headers.contains(headerNames[i], headerValues[i], false)) {
                    return false;
                }
            }
            return true;
        }

        /** {@code prefix} matches whole segments: {@code /api} takes {@code /api}, {@code /api/x} and {@code /api?q}, never {@code /apiary}. */
        static boolean prefixMatches(String uri, String prefix) {
            if (!uri.startsWith(prefix)) {
                return false;
            }
            if (uri.length() == prefix.length() || prefix.endsWith("/")) {
                return true;
            }
            char next = uri.charAt(prefix.length());
            return next == '/' || next == '?';
        }

        private boolean hostMatches(String requestHost) {
            int end = hostEnd(requestHost);
            if (suffix) {
                int start = end - host.length();
                return start > 0 && requestHost.regionMatches(true, start, host, 0, host.length());
            }
            return end == host.length() && requestHost.regionMatches(true, 0, host, 0, end);
        }

        /** Length of the host without its port; handles {@code [v6]:port}. */
        private static int hostEnd(String h) {
            int colon = h.lastIndexOf(':');
            return colon < 0 || colon < h.lastIndexOf(']') ? h.length() : colon;
        }
    }
}

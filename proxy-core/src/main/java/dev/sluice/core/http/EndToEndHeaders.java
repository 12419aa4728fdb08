package dev.sluice.core.http;

import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.KeySource;
import dev.sluice.config.model.PerPartitionConfig;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.config.model.RouteConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The request headers Sluice itself frames, routes, limits or hashes by: {@code Content-Length},
 * {@code Transfer-Encoding}, {@code Host}, and every header (or {@code Cookie}) the configuration
 * reads a key or a route match from. A {@code Connection} header that names one of them would make
 * the hop-by-hop rule delete it after Sluice acted on it, so the next hop would read a different
 * request than the one Sluice checked (request smuggling); such a request is refused instead.
 * Immutable; built from one configuration and shared by every event loop.
 */
public final class EndToEndHeaders {

    private final AsciiString[] names;

    private EndToEndHeaders(Set<String> lowerCaseNames) {
        names = new AsciiString[lowerCaseNames.size()];
        int i = 0;
        for (String n : lowerCaseNames) {
            names[i++] = AsciiString.cached(n);
        }
    }

    /** The headers {@code config} makes Sluice read. */
    public static EndToEndHeaders of(ProxyConfig config) {
        Set<String> out = new LinkedHashSet<>();
        out.add(HttpHeaderNames.CONTENT_LENGTH.toString());
        out.add(HttpHeaderNames.TRANSFER_ENCODING.toString());
        out.add(HttpHeaderNames.HOST.toString());
        PerPartitionConfig part = config.rateLimits().perPartition();
        if (part != null) {
            add(out, part.key());
        }
        for (ClusterConfig c : config.clusters()) {
            add(out, c.hash().key());
        }
        for (RouteConfig r : config.routes()) {
            for (String h : r.match().headers().keySet()) {
                out.add(h.toLowerCase(Locale.ROOT));
            }
        }
        return new EndToEndHeaders(out);
    }

    private static void add(Set<String> out, @Nullable KeySource key) {
        if (key == null) {
            return;
        }
        if (key.header() != null) {
            out.add(key.header().toLowerCase(Locale.ROOT));
        } else if (key.cookie() != null) {
            out.add(HttpHeaderNames.COOKIE.toString());
        }
    }

    /** The first of these headers that a {@code Connection} value of {@code h} names, or null. */
    public @Nullable AsciiString namedByConnection(HttpHeaders h) {
        if (!h.contains(HttpHeaderNames.CONNECTION)) {
            return null;
        }
        for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (AsciiString name : names) {
                if (ForwardHeaders.containsToken(value, name)) {
                    return name;
                }
            }
        }
        return null;
    }
}

package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.config.load.YamlConfigLoader;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.core.balance.DynamicRoundRobin;
import dev.sluice.core.upstream.Cluster;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static Router router;

    @BeforeAll
    static void build() throws Exception {
        ProxyConfig c = YamlConfigLoader.load("""
                listeners: [ { name: a, bind: "127.0.0.1:0" } ]
                routes:
                  - { match: { host: api.example.com, pathPrefix: /orders }, cluster: orders }
                  - { match: { host: "*.example.com", headers: { x-canary: "1" } }, cluster: canary }
                  - { match: { host: "*.example.com" }, cluster: wild }
                  - { match: { pathPrefix: /static/ }, cluster: static }
                clusters: [ { name: orders }, { name: canary }, { name: wild }, { name: static } ]
                """, "t").config();
        Map<String, Cluster> clusters = new LinkedHashMap<>();
        for (var cc : c.clusters()) {
            clusters.put(cc.name(), new Cluster(cc, List.of(), new DynamicRoundRobin(), new AtomicInteger(), 0));
        }
        router = new Router(c.routes(), clusters);
    }

    private static String route(String host, String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        if (host != null) {
            r.headers().set("host", host);
        }
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().set(headers[i], headers[i + 1]);
        }
        Cluster c = router.route(r);
        return c == null ? null : c.name();
    }

    @Test
    void exactHostIgnoresCaseAndPort() {
        assertEquals("orders", route("api.example.com", "/orders/17"));
        assertEquals("orders", route("API.Example.COM:8443", "/orders"));
    }

    @Test
    void firstMatchWins() {
        assertEquals("wild", route("api.example.com", "/users"));
        assertEquals("canary", route("api.example.com", "/users", "x-canary", "1"));
        assertEquals("wild", route("api.example.com", "/users", "x-canary", "2"));
    }

    @Test
    void wildcardNeedsALabelBeforeTheSuffix() {
        assertEquals("wild", route("a.b.example.com", "/"));
        assertNull(route("example.com", "/"));
        assertNull(route("badexample.com", "/"));
    }

    @Test
    void pathPrefixAndNoHost() {
        assertEquals("static", route(null, "/static/app.js"));
        assertEquals("static", route("other.org", "/static/"));
        assertNull(route("other.org", "/static"));
        assertNull(route(null, "/orders"));
    }

    @Test
    void ipv6HostWithPort() {
        assertNull(route("[::1]:8080", "/"));
    }
}

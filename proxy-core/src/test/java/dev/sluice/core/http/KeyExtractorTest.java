package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.config.model.KeySource;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class KeyExtractorTest {

    private final KeyRegion region = new KeyRegion();

    private static HttpRequest req(String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private String find(KeySource source, HttpRequest r) {
        int found = new KeyExtractor(source, 16).find(r, region);
        return found == KeyExtractor.FOUND ? region.toString() : found == KeyExtractor.MISSING ? "<missing>" : "<invalid>";
    }

    @Test
    void header() {
        KeySource s = KeySource.header("X-User-Id");
        assertEquals("u-42", find(s, req("/", "x-user-id", "u-42")));
        assertEquals("<missing>", find(s, req("/")));
        assertEquals("<missing>", find(s, req("/", "X-User-Id", "")));
        assertEquals("<invalid>", find(s, req("/", "X-User-Id", "a b")));
        assertEquals("<invalid>", find(s, req("/", "X-User-Id", "x".repeat(17))));
        assertEquals("x".repeat(16), find(s, req("/", "X-User-Id", "x".repeat(16))));
    }

    @Test
    void cookie() {
        KeySource s = new KeySource(null, "sid", null, null);
        assertEquals("abc", find(s, req("/", "cookie", "theme=dark; sid=abc; x=1")));
        assertEquals("abc", find(s, req("/", "cookie", "sid=\"abc\"")));
        assertEquals("<missing>", find(s, req("/", "cookie", "xsid=abc; sidx=1")));
        assertEquals("<missing>", find(s, req("/")));
        assertEquals("<invalid>", find(s, req("/", "cookie", "sid=a%20b")));
    }

    @Test
    void query() {
        KeySource s = new KeySource(null, null, "tenant", null);
        assertEquals("t1", find(s, req("/x?a=1&tenant=t1&b=2")));
        assertEquals("t1", find(s, req("/x?tenant=t1#frag")));
        assertEquals("<missing>", find(s, req("/x?tenant=")));
        assertEquals("<missing>", find(s, req("/x?mytenant=t1")));
        assertEquals("<missing>", find(s, req("/x")));
    }

    @Test
    void pathSegment() {
        KeySource second = new KeySource(null, null, null, 2);
        assertEquals("acme", find(second, req("/tenants/acme/orders?x=1")));
        assertEquals("acme", find(second, req("/tenants/acme")));
        assertEquals("<missing>", find(second, req("/tenants")));
        assertEquals("<missing>", find(second, req("/tenants//orders")));
        assertEquals("tenants", find(new KeySource(null, null, null, 1), req("/tenants/acme")));
    }

    @Test
    void hashesTheRegionLikeTheWholeString() {
        find(KeySource.header("k"), req("/", "k", "alice"));
        assertEquals(KeyRegion.hash("alice"), region.hash());
        find(new KeySource(null, null, "k", null), req("/?k=alice&z=1"));
        assertEquals(KeyRegion.hash("alice"), region.hash());
    }
}

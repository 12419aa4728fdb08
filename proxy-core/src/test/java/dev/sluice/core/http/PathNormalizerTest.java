package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PathNormalizerTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/api/../admin, /admin",
        "/api/%2e%2e/admin, /admin",
        "/api/%2E%2E/admin, /admin",
        "/api/.%2e/admin, /admin",
        "/a/./b, /a/b",
        "/a/b/., /a/b/",
        "/a/b/.., /a/",
        "/.., /",
        "/../../x, /x",
        "/a//b, /a/b",
        "//, /",
        "/a/b/, /a/b/",
        "/%61pi/x, /api/x",
        "/a%2Fb, /a%2Fb",
        "/a%2fb, /a%2Fb",
        "/a%5c..%5cb, /a%5C..%5Cb",
        "/a/..%2fb, /a/..%2Fb",
        "/%7euser, /~user",
        "/a/..b/c, /a/..b/c",
        "/a/.../c, /a/.../c",
        "'/a/../b?x=/../y', '/b?x=/../y'",
        "/a%20b, /a%20b",
    })
    void normalises(String in, String out) {
        assertEquals(out, PathNormalizer.normalize(in));
    }

    @Test
    void anAlreadyNormalPathIsTheSameObject() {
        String uri = "/api/orders/17?x=1";
        assertSame(uri, PathNormalizer.normalize(uri));
        assertSame("*", PathNormalizer.normalize("*"));
    }

    @Test
    void aMalformedEscapeIsRefused() {
        assertNull(PathNormalizer.normalize("/a%zz"));
        assertNull(PathNormalizer.normalize("/a%4"));
        assertNull(PathNormalizer.normalize("/a%"));
    }
}

package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

class ForwardHeadersTest {

    private static RequestContext context(HttpRequest req, boolean http2) {
        RequestContext rc = new RequestContext("10.1.2.3", false, http2, 0);
        rc.begin(req, 0);
        ForwardHeaders.identify(req, rc); // as hygiene does, before anything else
        return rc;
    }

    @Test
    void connectionNamedHeadersGoButLookalikesStay() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        req.headers().add("Connection", "close, X-A ,x-b").add("Connection", "keep-alive")
                .set("X-A", "1").set("x-b", "2").set("X-AB", "3").set("Upgrade", "websocket");
        ForwardHeaders.request(req, context(req, false));
        assertNull(req.headers().get("x-a"));
        assertNull(req.headers().get("x-b"));
        assertNull(req.headers().get("connection"));
        assertNull(req.headers().get("upgrade"));
        assertEquals("3", req.headers().get("x-ab"));
    }

    @Test
    void teKeepsOnlyTrailers() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        req.headers().set("TE", "gzip;q=0.5, trailers");
        ForwardHeaders.request(req, context(req, false));
        assertEquals("trailers", req.headers().get("te"));
        HttpRequest other = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        other.headers().set("TE", "gzip, deflate");
        ForwardHeaders.request(other, context(other, false));
        assertNull(other.headers().get("te"));
        assertTrue(ForwardHeaders.containsToken("a, trailers;q=1", AsciiString.of("trailers")));
        assertFalse(ForwardHeaders.containsToken("trailersx", AsciiString.of("trailers")));
    }

    @Test
    void http2ExtensionHeadersAndVersionAreNormalised() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        req.headers().set("x-http2-stream-id", "3").set("x-http2-scheme", "http").set("host", "h");
        RequestContext rc = context(req, true);
        ForwardHeaders.request(req, rc);
        assertNull(req.headers().get("x-http2-stream-id"));
        assertNull(req.headers().get("x-http2-scheme"));
        assertEquals("2 sluice", req.headers().get("via"));
        assertEquals("10.1.2.3", req.headers().get("x-forwarded-for"));
        assertEquals(rc.requestId(), req.headers().get("x-request-id"));
    }

    @Test
    void http10RequestIsSentUpstreamAsHttp11AndTheResponseGoesBackAs10() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
        RequestContext rc = context(req, false);
        ForwardHeaders.request(req, rc);
        assertEquals(HttpVersion.HTTP_1_1, req.protocolVersion());
        assertEquals("1.0 sluice", req.headers().get("via"));
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        resp.headers().set("transfer-encoding", "chunked");
        ForwardHeaders.response(resp, rc);
        assertEquals(HttpVersion.HTTP_1_0, resp.protocolVersion());
        assertNull(resp.headers().get("transfer-encoding"), "an HTTP/1.0 client gets a close-delimited body");
    }

    @Test
    void closeDelimitedResponseIsReframedAsChunkedForHttp11() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        RequestContext rc = context(req, false);
        ForwardHeaders.request(req, rc);
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
        resp.headers().set("connection", "close");
        ForwardHeaders.response(resp, rc);
        assertEquals("chunked", resp.headers().get("transfer-encoding"));
        assertNull(resp.headers().get("connection"));
        assertEquals(rc.requestId(), resp.headers().get("x-request-id"));

        HttpResponse noBody = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        ForwardHeaders.response(noBody, rc);
        assertNull(noBody.headers().get("transfer-encoding"));
    }

    /** Whatever the hop-by-hop rule removes, the upstream head says how the decoder framed the body. */
    @Test
    void theUpstreamRequestIsFramedFromWhatTheDecoderRead() {
        HttpRequest sized = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        sized.headers().set("content-length", "5").set("connection", "content-length");
        ForwardHeaders.request(sized, context(sized, false));
        assertEquals("5", sized.headers().get("content-length"));
        assertNull(sized.headers().get("transfer-encoding"));

        HttpRequest chunked = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        chunked.headers().set("transfer-encoding", "chunked").set("connection", "transfer-encoding");
        ForwardHeaders.request(chunked, context(chunked, false));
        assertEquals("chunked", chunked.headers().get("transfer-encoding"));
        assertNull(chunked.headers().get("content-length"));

        HttpRequest none = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        ForwardHeaders.request(none, context(none, false));
        assertNull(none.headers().get("content-length"));
        assertNull(none.headers().get("transfer-encoding"));
    }

    @Test
    void theResponseIsFramedFromWhatTheUpstreamDecoderRead() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        RequestContext rc = context(req, false);
        HttpResponse sized = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        sized.headers().set("content-length", "7").set("connection", "content-length");
        ForwardHeaders.response(sized, rc);
        assertEquals("7", sized.headers().get("content-length"));
        assertNull(sized.headers().get("transfer-encoding"));

        HttpResponse chunked = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        chunked.headers().set("transfer-encoding", "chunked").set("connection", "transfer-encoding");
        ForwardHeaders.response(chunked, rc);
        assertEquals("chunked", chunked.headers().get("transfer-encoding"));
        assertNull(chunked.headers().get("content-length"));
    }

    @Test
    void requestIdSanity() {
        assertTrue(RequestIds.isSane("abc-123_x.y:z"));
        assertFalse(RequestIds.isSane(""));
        assertFalse(RequestIds.isSane("a b"));
        assertFalse(RequestIds.isSane("x".repeat(129)));
        assertTrue(RequestIds.generate().matches("[0-9a-f]{32}"));
    }
}

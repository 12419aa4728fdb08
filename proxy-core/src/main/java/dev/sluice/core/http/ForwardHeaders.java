package dev.sluice.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Rewrites message heads as they cross the proxy, in place (no copy of the head is made):
 * hop-by-hop headers go (RFC 9110 section 7.6.1: {@code Connection} and every header it names,
 * {@code Keep-Alive}, {@code Proxy-*}, {@code TE} except {@code trailers}, {@code Upgrade}),
 * {@code Content-Length} and {@code Transfer-Encoding} are written anew from the framing the
 * decoder read, and the forwarding headers are added. Stateless.
 */
public final class ForwardHeaders {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    static final AsciiString PROXY_AUTHENTICATE = AsciiString.cached("proxy-authenticate");
    static final AsciiString PROXY_AUTHORIZATION = AsciiString.cached("proxy-authorization");
    static final AsciiString HTTP = AsciiString.cached("http");
    static final AsciiString HTTPS = AsciiString.cached("https");
    static final AsciiString VIA_10 = AsciiString.cached("1.0 sluice");
    static final AsciiString VIA_11 = AsciiString.cached("1.1 sluice");
    static final AsciiString VIA_2 = AsciiString.cached("2 sluice");

    private static final AsciiString[] HTTP2_EXTENSIONS;

    static {
        HttpConversionUtil.ExtensionHeaderNames[] names = HttpConversionUtil.ExtensionHeaderNames.values();
        HTTP2_EXTENSIONS = new AsciiString[names.length];
        for (int i = 0; i < names.length; i++) {
            HTTP2_EXTENSIONS[i] = names[i].text();
        }
    }

    private ForwardHeaders() {
    }

    /**
     * Settles the request id of {@code req} as soon as its head is read, so every answer carries
     * it, a refusal of the head too: the client's {@code X-Request-Id} when it is sane, otherwise a
     * new one, which then replaces it in the head.
     */
    static void identify(HttpRequest req, RequestContext rc) {
        HttpHeaders h = req.headers();
        String id = h.get(X_REQUEST_ID);
        if (id == null || !RequestIds.isSane(id)) {
            id = RequestIds.generate();
            h.set(X_REQUEST_ID, id);
        }
        rc.requestId(id);
    }

    /**
     * Prepares a client request for an HTTP/1.1 upstream ({@link #identify} has run). The body's
     * framing is written anew from what the decoder read ({@link RequestContext#chunked},
     * {@link RequestContext#declaredLength}), never left to whatever headers survive the
     * hop-by-hop rule: the next hop must find the request's end exactly where Sluice did.
     */
    static void request(HttpRequest req, RequestContext rc) {
        HttpHeaders h = req.headers();
        stripHopByHop(h);
        if (rc.websocket()) {
            upgradeToWebSocket(h); // the one hop-by-hop pair that must reach the next hop
        }
        frame(h, rc.chunked(), rc.declaredLength());
        String te = h.get(HttpHeaderNames.TE);
        if (te != null) {
            if (containsToken(te, HttpHeaderValues.TRAILERS)) {
                h.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            } else {
                h.remove(HttpHeaderNames.TE);
            }
        }
        if (rc.http2()) {
            stripHttp2Extensions(h);
        }
        String xff = forwardedFor(h);
        h.set(X_FORWARDED_FOR, xff == null ? rc.peerIp() : xff + ", " + rc.peerIp());
        h.set(X_FORWARDED_PROTO, rc.secure() ? HTTPS : HTTP);
        String host = h.get(HttpHeaderNames.HOST);
        if (host != null) {
            h.set(X_FORWARDED_HOST, host);
        }
        h.add(HttpHeaderNames.VIA, rc.http2() ? VIA_2 : req.protocolVersion() == HttpVersion.HTTP_1_0 ? VIA_10 : VIA_11);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    /**
     * Prepares an upstream response for the client of {@code rc}. As for requests, the framing
     * headers are written from what the upstream decoder read, before the hop-by-hop rule ran.
     */
    public static void response(HttpResponse resp, RequestContext rc) {
        HttpHeaders h = resp.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(resp);
        long length = chunked || !h.contains(HttpHeaderNames.CONTENT_LENGTH) ? -1 : HttpUtil.getContentLength(resp, -1L);
        stripHopByHop(h);
        h.remove(HttpHeaderNames.TE);
        frame(h, false, length); // a chunked body is re-chunked below, or framed by HTTP/2
        h.add(HttpHeaderNames.VIA, VIA_11);
        String id = rc.requestId();
        if (id != null) {
            h.set(X_REQUEST_ID, id);
        }
        if (rc.http2()) {
            return; // HTTP/2 frames the body itself; the codec drops the remaining connection headers
        }
        HttpVersion version = rc.clientVersion() == HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        resp.setProtocolVersion(version);
        boolean bodyEndsWithClose = false;
        if (mayHaveBody(resp, rc) && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (version == HttpVersion.HTTP_1_1) {
                HttpUtil.setTransferEncodingChunked(resp, true); // re-frame a close-delimited body
            } else {
                bodyEndsWithClose = true; // HTTP/1.0 client: close-delimited
            }
        }
        if (rc.draining()) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE); // the keep-alive handler closes after it
        } else {
            keepAliveFor10(h, rc, bodyEndsWithClose);
        }
    }

    /**
     * An HTTP/1.0 client that asked for keep-alive is told it got it, as NGINX and HAProxy do, or
     * it would take the response as the end of the connection: its body must then have a length.
     */
    static void keepAliveFor10(HttpHeaders h, RequestContext rc, boolean bodyEndsWithClose) {
        if (rc.clientVersion() == HttpVersion.HTTP_1_0 && rc.keepAlive() && !bodyEndsWithClose) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** Every {@code X-Forwarded-For} line, in order, as one list; null when there is none. */
    static @Nullable String forwardedFor(HttpHeaders h) {
        if (!h.contains(X_FORWARDED_FOR)) {
            return null;
        }
        List<String> lines = h.getAll(X_FORWARDED_FOR);
        return lines.size() == 1 ? lines.get(0) : String.join(", ", lines);
    }

    /** Replaces the framing headers: chunked, a length (>= 0), or neither. */
    private static void frame(HttpHeaders h, boolean chunked, long length) {
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (chunked) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (length >= 0) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
    }

    private static boolean mayHaveBody(HttpResponse resp, RequestContext rc) {
        int code = resp.status().code();
        return resp.status().codeClass() != HttpStatusClass.INFORMATIONAL && code != 204 && code != 304 && !rc.headMethod();
    }

    /**
     * Whether {@code head} is a WebSocket handshake (RFC 6455 section 4.1): an HTTP/1.1 GET with
     * {@code Upgrade: websocket} and a {@code Connection} naming {@code upgrade}.
     */
    static boolean webSocketHandshake(HttpRequest head) {
        return head.protocolVersion() == HttpVersion.HTTP_1_1 && HttpMethod.GET.equals(head.method())
                && head.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && head.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /** Removes what Netty's HTTP/2-to-HTTP/1 conversion adds to a message it made ({@code x-http2-stream-id}...). */
    public static void stripHttp2Extensions(HttpHeaders h) {
        for (AsciiString name : HTTP2_EXTENSIONS) {
            h.remove(name);
        }
    }

    /** Sets {@code Upgrade: websocket} and {@code Connection: upgrade}: a WebSocket handshake, or its 101. */
    public static void upgradeToWebSocket(HttpHeaders h) {
        h.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }

    /** Removes {@code Connection} and the headers it names, and the fixed hop-by-hop set. */
    static void stripHopByHop(HttpHeaders h) {
        String connection = h.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
                removeNamed(h, value);
            }
            h.remove(HttpHeaderNames.CONNECTION);
        }
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(HttpHeaderNames.PROXY_CONNECTION);
        h.remove(PROXY_AUTHENTICATE);
        h.remove(PROXY_AUTHORIZATION);
        h.remove(HttpHeaderNames.UPGRADE);
    }

    /** Removes each header named in one {@code Connection} value; the common tokens allocate nothing. */
    private static void removeNamed(HttpHeaders h, String value) {
        scanTokens(value, null, h);
    }

    private static boolean regionIs(String value, int s, int e, AsciiString token) {
        return e - s == token.length() && value.regionMatches(true, s, token.toString(), 0, e - s);
    }

    static boolean containsToken(String value, AsciiString token) {
        return scanTokens(value, token, null);
    }

    /**
     * Walks the comma-separated tokens of a header value, whitespace (SP, HTAB) trimmed and parameters after
     * {@code ;} ignored. With {@code find}: whether a token equals it. With {@code removeFrom}:
     * removes the header each token names, except the connection options themselves
     * ({@code keep-alive}, {@code close}, {@code upgrade}), which allocate nothing.
     */
    private static boolean scanTokens(String value, AsciiString find, HttpHeaders removeFrom) {
        int n = value.length();
        int i = 0;
        while (i < n) {
            int comma = value.indexOf(',', i);
            int end = comma < 0 ? n : comma;
            int s = i;
            int e = end;
            int semi = value.indexOf(';', s);
            if (semi >= 0 && semi < e) {
                e = semi;
            }
            while (s < e && (value.charAt(s) == ' ' || value.charAt(s) == '\t')) {
                s++;
            }
            while (e > s && (value.charAt(e - 1) == ' ' || value.charAt(e - 1) == '\t')) {
                e--;
            }
            if (find != null && regionIs(value, s, e, find)) {
                return true;
            }
            if (removeFrom != null && e > s && !regionIs(value, s, e, HttpHeaderValues.KEEP_ALIVE)
                    && !regionIs(value, s, e, HttpHeaderValues.CLOSE) && !regionIs(value, s, e, HttpHeaderValues.UPGRADE)) {
                removeFrom.remove(value.substring(s, e));
            }
            i = end + 1;
        }
        return false;
    }
}

package dev.sluice.core.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.CharsetUtil;
import java.util.List;
import java.util.function.Consumer;

/**
 * The server side's strict request decoder (see {@link MessageDecoder}). The request line is
 * {@code method SP request-target SP HTTP-version} with single spaces; the method is a token, the
 * target visible ASCII without a fragment, in origin form, absolute form ({@code http://} or
 * {@code https://}), or {@code *} for OPTIONS; the version HTTP/1.1 or HTTP/1.0 (505 for any other
 * {@code HTTP/x.y}). The body: {@code Transfer-Encoding: chunked} alone (never with
 * {@code Content-Length}, never in HTTP/1.0, never another coding), or one {@code Content-Length}
 * of digits, or none. A chunk that would take the body past {@code maxBodyBytes} is refused at
 * its size line (413), as NGINX does.
 *
 * <p>A refused head becomes a {@link MalformedRequest}; a failure in a body, a failed last
 * content. Either way nothing more of the connection is read.
 */
public final class RequestDecoder extends MessageDecoder {

    private static final HttpMethod[] COMMON = {HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.HEAD,
        HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.TRACE};

    private final int maxStartLine;
    private final long maxBodyBytes;
    private final Consumer<HttpMethod> onRequest;
    private HttpMethod method;
    private String uri;
    private HttpVersion version;
    /** Body bytes announced by the chunks of the current request so far. */
    private long chunkedBytes;

    /**
     * @param maxHeadBytes request line plus fields ({@code maxHeaderBytes}): over it, 431
     * @param maxStartLine the longest request line: over it, 414
     * @param maxBodyBytes {@code maxRequestBodyBytes}, for chunked bodies
     * @param onRequest told the method of every request head passed on (the encoder pairs responses with it)
     */
    public RequestDecoder(int maxHeadBytes, int maxStartLine, long maxBodyBytes, Consumer<HttpMethod> onRequest) {
        super(maxHeadBytes);
        this.maxStartLine = maxStartLine;
        this.maxBodyBytes = maxBodyBytes;
        this.onRequest = onRequest;
    }

    @Override
    boolean startLine(ByteBuf in, int from, int to, List<Object> out) {
        int sp1 = from;
        while (sp1 < to && Syntax.tchar(in.getByte(sp1))) {
            sp1++;
        }
        if (sp1 == from || sp1 == to || in.getByte(sp1) != Syntax.SP) {
            failHead(HttpResponseStatus.BAD_REQUEST, "malformed request line", out);
            return false;
        }
        int sp2 = sp1 + 1;
        while (sp2 < to && in.getByte(sp2) != Syntax.SP) {
            byte b = in.getByte(sp2);
            if (!Syntax.targetChar(b) || b == '#') {
                failHead(HttpResponseStatus.BAD_REQUEST, b == '#' ? "fragment in the request target"
                        : "invalid character in the request target", out);
                return false;
            }
            sp2++;
        }
        if (sp2 == sp1 + 1 || sp2 == to) {
            failHead(HttpResponseStatus.BAD_REQUEST, "malformed request line", out);
            return false;
        }
        version = version(in, sp2 + 1, to);
        if (version == null) {
            boolean looksLikeHttp = to - sp2 - 1 == 8 && in.getByte(sp2 + 1) == 'H' && in.getByte(sp2 + 5) == '/'
                    && Character.isDigit(in.getByte(sp2 + 6)) && in.getByte(sp2 + 7) == '.' && Character.isDigit(in.getByte(sp2 + 8));
            failHead(looksLikeHttp ? HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED : HttpResponseStatus.BAD_REQUEST,
                    looksLikeHttp ? "only HTTP/1.1 and HTTP/1.0 are served here" : "malformed request line", out);
            return false;
        }
        method = method(in, from, sp1);
        if (HttpMethod.CONNECT.equals(method)) {
            failHead(HttpResponseStatus.METHOD_NOT_ALLOWED, "CONNECT is not supported", out);
            return false;
        }
        byte first = in.getByte(sp1 + 1);
        boolean asterisk = first == '*' && sp2 == sp1 + 2;
        if (first != '/' && !(asterisk && HttpMethod.OPTIONS.equals(method)) && !absoluteForm(in, sp1 + 1, sp2)) {
            failHead(HttpResponseStatus.BAD_REQUEST, "invalid request target", out);
            return false;
        }
        uri = in.toString(sp1 + 1, sp2 - sp1 - 1, CharsetUtil.US_ASCII);
        return true;
    }

    private static boolean absoluteForm(ByteBuf in, int from, int to) {
        int n = to - from;
        return (n > 7 && in.toString(from, 7, CharsetUtil.US_ASCII).equalsIgnoreCase("http://"))
                || (n > 8 && in.toString(from, 8, CharsetUtil.US_ASCII).equalsIgnoreCase("https://"));
    }

    private static HttpVersion version(ByteBuf in, int from, int to) {
        if (to - from != 8 || in.getByte(from) != 'H' || in.getByte(from + 1) != 'T' || in.getByte(from + 2) != 'T'
                || in.getByte(from + 3) != 'P' || in.getByte(from + 4) != '/' || in.getByte(from + 5) != '1'
                || in.getByte(from + 6) != '.') {
            return null;
        }
        byte minor = in.getByte(from + 7);
        return minor == '1' ? HttpVersion.HTTP_1_1 : minor == '0' ? HttpVersion.HTTP_1_0 : null;
    }

    /** The method named by the token {@code [from, to)}; the common ones without a new object. */
    private static HttpMethod method(ByteBuf in, int from, int to) {
        for (HttpMethod m : COMMON) {
            if (m.asciiName().length() == to - from && Syntax.startsWith(in, from, m.asciiName())) {
                return m;
            }
        }
        return HttpMethod.valueOf(in.toString(from, to - from, CharsetUtil.US_ASCII));
    }

    @Override
    void headComplete(List<Object> out) {
        String problem = framing.chunked() && version == HttpVersion.HTTP_1_0
                ? "Transfer-Encoding in an HTTP/1.0 request" : framing.problem();
        if (problem != null) {
            failHead(HttpResponseStatus.BAD_REQUEST, problem, out);
        } else if (framing.chunked()) {
            emit(new DefaultHttpRequest(version, method, uri, fields), out);
            state = State.CHUNK_SIZE;
            chunkedBytes = 0;
        } else if (framing.contentLength() > 0) {
            emit(new DefaultHttpRequest(version, method, uri, fields), out);
            state = State.FIXED;
            remaining = framing.contentLength();
        } else {
            emit(new DefaultFullHttpRequest(version, method, uri, Unpooled.EMPTY_BUFFER, fields, EmptyHttpHeaders.INSTANCE), out);
            endMessage();
        }
    }

    private void emit(io.netty.handler.codec.http.HttpRequest head, List<Object> out) {
        onRequest.accept(method);
        out.add(head);
    }

    @Override
    void failHead(HttpResponseStatus status, String reason, List<Object> out) {
        out.add(new MalformedRequest(status, reason));
        state = State.BAD;
    }

    @Override
    HttpResponseStatus refuseChunk(long size) {
        if (size > maxBodyBytes - chunkedBytes) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        chunkedBytes += size;
        return null;
    }

    @Override
    HttpResponseStatus bodyFailureStatus() {
        return HttpResponseStatus.BAD_REQUEST;
    }

    @Override
    int maxStartLine() {
        return maxStartLine;
    }

    @Override
    HttpResponseStatus startLineTooLong() {
        return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
}

package dev.sluice.core.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Queue;
import java.util.function.BooleanSupplier;

/**
 * The upstream side's strict response decoder (see {@link MessageDecoder}): an upstream that a
 * client request could trick, or that is simply broken, must not make one response look like two,
 * or the next client on the pooled connection would read the rest. The status line is
 * {@code HTTP/1.1} or {@code HTTP/1.0}, a space, three digits, and an optional reason. The body:
 * none for 1xx, 204, 304 and HEAD (paired with the requests the encoder wrote, in order);
 * chunked alone; one {@code Content-Length}; or, with neither, until the connection closes.
 * {@code 101} is refused unless the request it answers asked for an upgrade (a WebSocket
 * handshake); after an accepted one the decoder reads nothing more and leaves the bytes to the
 * tunnel that takes the connection over. Any shape a request would be refused for is refused. Every failure is a last content whose result holds a
 * {@link FramingException} (the proxy answers 502), and the connection is not read again.
 */
public final class ResponseDecoder extends MessageDecoder {

    private static final int MAX_STATUS_LINE = 8192;
    private static final AsciiString HTTP_1_ = AsciiString.cached("HTTP/1.");
    private final Queue<HttpMethod> requests;
    private final BooleanSupplier upgradeAsked;
    private HttpVersion version;
    private HttpResponseStatus status;

    /** @param requests the methods of the requests written on this connection, oldest first; each final response takes one */
    public ResponseDecoder(int maxHeadBytes, Queue<HttpMethod> requests) {
        this(maxHeadBytes, requests, () -> false);
    }

    /** @param upgradeAsked whether the request being answered asked to switch protocols ({@code Upgrade}) */
    public ResponseDecoder(int maxHeadBytes, Queue<HttpMethod> requests, BooleanSupplier upgradeAsked) {
        super(maxHeadBytes);
        this.requests = requests;
        this.upgradeAsked = upgradeAsked;
    }

    @Override
    boolean startLine(ByteBuf in, int from, int to, List<Object> out) {
        version = to - from >= 12 && Syntax.startsWith(in, from, HTTP_1_)
                ? in.getByte(from + 7) == '1' ? HttpVersion.HTTP_1_1 : in.getByte(from + 7) == '0' ? HttpVersion.HTTP_1_0 : null
                : null;
        if (version == null || in.getByte(from + 8) != Syntax.SP) {
            failHead(null, "malformed status line", out);
            return false;
        }
        int code = 0;
        for (int i = from + 9; i < from + 12; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                failHead(null, "malformed status line", out);
                return false;
            }
            code = code * 10 + (b - '0');
        }
        if (code < 100 || (to > from + 12 && in.getByte(from + 12) != Syntax.SP)) {
            failHead(null, "malformed status line", out);
            return false;
        }
        for (int i = from + 13; i < to; i++) {
            byte b = in.getByte(i);
            if (!Syntax.fieldVchar(b) && !Syntax.ows(b)) {
                failHead(null, "control character in the reason phrase", out);
                return false;
            }
        }
        status = HttpResponseStatus.valueOf(code);
        return true;
    }

    @Override
    void headComplete(List<Object> out) {
        int code = status.code();
        if (code < 200) {
            if (code == 101 && upgradeAsked.getAsBoolean()) {
                requests.poll();
                out.add(new DefaultFullHttpResponse(version, status, Unpooled.EMPTY_BUFFER, fields, EmptyHttpHeaders.INSTANCE));
                state = State.UPGRADED;
                return;
            }
            if (code == 101) {
                failHead(null, "101 Switching Protocols to a request that asked for no upgrade", out);
                return;
            }
            full(out); // interim: the final response of the same request follows
            return;
        }
        HttpMethod method = requests.poll();
        // The framing fields are checked even where no body follows: the client is shown them.
        String problem = framing.problem();
        if (problem != null) {
            failHead(null, problem, out);
        } else if (HttpMethod.HEAD.equals(method) || code == 204 || code == 304) {
            full(out);
        } else if (framing.chunked()) {
            out.add(new DefaultHttpResponse(version, status, fields));
            state = State.CHUNK_SIZE;
        } else if (framing.contentLength() == 0) {
            full(out);
        } else if (framing.contentLength() > 0) {
            out.add(new DefaultHttpResponse(version, status, fields));
            state = State.FIXED;
            remaining = framing.contentLength();
        } else {
            out.add(new DefaultHttpResponse(version, status, fields));
            state = State.UNTIL_CLOSE;
        }
    }

    private void full(List<Object> out) {
        out.add(new DefaultFullHttpResponse(version, status, Unpooled.EMPTY_BUFFER, fields, EmptyHttpHeaders.INSTANCE));
        endMessage();
    }

    /** A response head is refused as a failed last content, the same as a body: the proxy answers 502 either way. */
    @Override
    void failHead(HttpResponseStatus ignored, String reason, List<Object> out) {
        failBody(HttpResponseStatus.BAD_GATEWAY, reason, out);
    }

    @Override
    HttpResponseStatus refuseChunk(long size) {
        return null; // the client's own limits are not the upstream's
    }

    @Override
    HttpResponseStatus bodyFailureStatus() {
        return HttpResponseStatus.BAD_GATEWAY;
    }

    @Override
    int maxStartLine() {
        return MAX_STATUS_LINE;
    }

    @Override
    HttpResponseStatus startLineTooLong() {
        return HttpResponseStatus.BAD_GATEWAY;
    }

    /** The connection closed: that ends a body read until close; inside any other body it is a truncation. */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (state == State.UNTIL_CLOSE) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            endMessage();
        } else if (inBody()) {
            failBody(HttpResponseStatus.BAD_GATEWAY, "connection closed inside the response body", out);
        }
    }
}

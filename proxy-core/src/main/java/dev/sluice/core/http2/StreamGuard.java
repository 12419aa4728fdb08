package dev.sluice.core.http2;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code h2-stream-guard}, first in every HTTP/2 stream's pipeline: what RFC 9113 asks a server to
 * check of a request that Netty's codec does not, and the right answer to every stream error.
 * <ul>
 *   <li>The request's header block (section 8.3.1): exactly one {@code :method}, and for every
 *       method but CONNECT exactly one {@code :scheme} and one non-empty {@code :path} (origin
 *       form, or {@code *}); at most one {@code :authority}; no other pseudo-header; names in lower
 *       case; no value with NUL, CR or LF or with leading or trailing whitespace (section 8.2.1:
 *       such a value would become a header injection on an HTTP/1.1 upstream); one
 *       {@code content-length} of digits. CONNECT is answered 405: Sluice is no tunnel.</li>
 *   <li>Trailers (section 8.1): they end the stream and carry no pseudo-header.</li>
 *   <li>Every stream error, Netty's or these, is answered with RST_STREAM carrying the code the RFC
 *       names (PROTOCOL_ERROR, STREAM_CLOSED, FLOW_CONTROL_ERROR, FRAME_SIZE_ERROR...), never the
 *       CANCEL a plain close sends, then the stream's channel closes and nothing of it is read on.</li>
 * </ul>
 * One instance per stream; event-loop confined.
 */
public final class StreamGuard extends ChannelDuplexHandler {

    private static final AsciiString CONNECT = AsciiString.cached("CONNECT");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");

    private final ConnectionErrors errors;
    private boolean headersSeen;
    private boolean reset;

    public StreamGuard(ConnectionErrors errors) {
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (reset) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Http2HeadersFrame frame) {
            boolean trailers = headersSeen;
            headersSeen = true;
            String problem = trailers ? trailersProblem(frame) : requestProblem(frame.headers());
            if (problem != null) {
                ReferenceCountUtil.release(msg);
                reset(ctx, Http2Error.PROTOCOL_ERROR, problem);
                return;
            }
            if (!trailers && CONNECT.contentEquals(frame.headers().method())) {
                ReferenceCountUtil.release(msg);
                reset = true;
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("405"), true));
                ctx.close();
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The multiplexer hands a stream its Http2Exception (the cause of the Http2FrameStreamException).
        Http2Exception h2 = cause instanceof Http2FrameStreamException e ? Http2CodecUtil.getEmbeddedHttp2Exception(e.getCause())
                : Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (h2 != null) {
            reset(ctx, h2.error(), h2.getMessage());
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void reset(ChannelHandlerContext ctx, Http2Error code, String why) {
        if (reset) {
            return;
        }
        reset = true;
        errors.report(code, ((Http2StreamChannel) ctx.channel()).stream().id(), why);
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(code));
        ctx.close();
    }

    /** What is wrong with a request's header block, or null. */
    static @Nullable String requestProblem(Http2Headers h) {
        int methods = 0;
        int schemes = 0;
        int paths = 0;
        int authorities = 0;
        int lengths = 0;
        CharSequence path = null;
        boolean connect = false;
        for (Map.Entry<CharSequence, CharSequence> e : h) {
            CharSequence name = e.getKey();
            CharSequence value = e.getValue();
            if (name.length() > 0 && name.charAt(0) == ':') {
                String n = name.toString();
                switch (n) {
                    case ":method" -> {
                        methods++;
                        connect = CONNECT.contentEquals(value);
                    }
                    case ":scheme" -> schemes++;
                    case ":path" -> {
                        paths++;
                        path = value;
                    }
                    case ":authority" -> authorities++;
                    default -> {
                        return "pseudo-header " + n + " in a request";
                    }
                }
            } else {
                String nameProblem = nameProblem(name);
                if (nameProblem != null) {
                    return nameProblem;
                }
                if (CONTENT_LENGTH.contentEquals(name) && (++lengths > 1 || !digits(value))) {
                    return "invalid content-length";
                }
            }
            String valueProblem = valueProblem(value);
            if (valueProblem != null) {
                return valueProblem + " in " + name;
            }
        }
        if (methods != 1 || authorities > 1) {
            return methods == 0 ? "no :method" : "more than one :method or :authority";
        }
        if (connect) {
            return schemes == 0 && paths == 0 && authorities == 1 ? null : "CONNECT with :scheme or :path, or without :authority";
        }
        if (schemes != 1 || paths != 1) {
            return schemes == 0 ? "no :scheme" : paths == 0 ? "no :path" : "more than one :scheme or :path";
        }
        if (path.length() == 0 || (path.charAt(0) != '/' && !(path.length() == 1 && path.charAt(0) == '*'))) {
            return "empty or invalid :path";
        }
        return null;
    }

    /** What is wrong with a trailer block, or null. */
    private static @Nullable String trailersProblem(Http2HeadersFrame frame) {
        if (!frame.isEndStream()) {
            return "a second HEADERS frame that does not end the stream";
        }
        for (Map.Entry<CharSequence, CharSequence> e : frame.headers()) {
            CharSequence name = e.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                return "pseudo-header " + name + " in trailers";
            }
            String problem = nameProblem(name);
            if (problem == null) {
                problem = valueProblem(e.getValue());
            }
            if (problem != null) {
                return problem + " in trailers";
            }
        }
        return null;
    }

    private static @Nullable String nameProblem(CharSequence name) {
        if (name.length() == 0) {
            return "empty header name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return "upper-case header name";
            }
            if (c <= ' ' || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return "invalid header name";
            }
        }
        return null;
    }

    private static @Nullable String valueProblem(CharSequence value) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == 0 || c == '\r' || c == '\n') {
                return "NUL, CR or LF in a value";
            }
        }
        if (n > 0 && (isWhitespace(value.charAt(0)) || isWhitespace(value.charAt(n - 1)))) {
            return "leading or trailing whitespace in a value";
        }
        return null;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean digits(CharSequence v) {
        if (v.length() == 0 || v.length() > 18) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}

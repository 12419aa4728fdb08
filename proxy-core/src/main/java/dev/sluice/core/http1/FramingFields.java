package dev.sluice.core.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.AsciiString;

/**
 * What the fields of one head say about its framing, noted as they are read: every
 * {@code Content-Length} and {@code Transfer-Encoding} line, so that a message is framed only when
 * exactly one of them frames it unambiguously (RFC 9112 section 6). Also which trailer fields may
 * never be passed on. One instance per decoder, reset for every head.
 */
final class FramingFields {

    private int contentLengths;
    private long contentLength;
    private boolean badContentLength;
    private int transferEncodings;
    private boolean chunkedOnly;

    void reset() {
        contentLengths = 0;
        contentLength = 0;
        badContentLength = false;
        transferEncodings = 0;
        chunkedOnly = false;
    }

    /** Notes the field {@code name} (bytes {@code [from, colon)}) with the value {@code [v, e)} when it frames the body. */
    void note(ByteBuf in, int from, int colon, int v, int e) {
        if (Syntax.equalsIgnoreCase(in, from, colon, HttpHeaderNames.CONTENT_LENGTH)) {
            contentLengths++;
            contentLength = digits(in, v, e);
            badContentLength |= contentLength < 0;
        } else if (Syntax.equalsIgnoreCase(in, from, colon, HttpHeaderNames.TRANSFER_ENCODING)) {
            transferEncodings++;
            chunkedOnly = Syntax.equalsIgnoreCase(in, v, e, HttpHeaderValues.CHUNKED);
        }
    }

    /** What makes the framing uncertain, or null when it is certain. */
    String problem() {
        if (transferEncodings > 0 && contentLengths > 0) {
            return "Content-Length together with Transfer-Encoding";
        }
        if (transferEncodings > 1 || (transferEncodings == 1 && !chunkedOnly)) {
            return "Transfer-Encoding other than chunked";
        }
        if (contentLengths > 1) {
            return "more than one Content-Length";
        }
        return badContentLength ? "invalid Content-Length" : null;
    }

    /** Whether the head says chunked (valid only when {@link #problem} is null). */
    boolean chunked() {
        return transferEncodings > 0;
    }

    /** The one {@code Content-Length}, or -1 when there is none (valid only when {@link #problem} is null). */
    long contentLength() {
        return contentLengths == 1 ? contentLength : -1;
    }

    /** {@code 1*DIGIT} as a number (leading zeros are fine), or -1 when not digits or over 18 significant ones. */
    private static long digits(ByteBuf in, int from, int to) {
        if (from == to) {
            return -1;
        }
        long v = 0;
        int significant = 0;
        for (int i = from; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            if ((v != 0 || b != '0') && ++significant > 18) {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v;
    }

    /** Trailer fields that would change framing, routing or the connection are not passed on (RFC 9110 section 6.5.1). */
    static boolean forbiddenInTrailers(AsciiString name) {
        return name.contentEqualsIgnoreCase(HttpHeaderNames.CONTENT_LENGTH)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.TRANSFER_ENCODING)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.HOST)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.CONNECTION)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.KEEP_ALIVE)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.TE)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.TRAILER)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.UPGRADE)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.CONTENT_TYPE)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.CONTENT_ENCODING)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.AUTHORIZATION)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.COOKIE)
                || name.contentEqualsIgnoreCase(HttpHeaderNames.SET_COOKIE);
    }
}

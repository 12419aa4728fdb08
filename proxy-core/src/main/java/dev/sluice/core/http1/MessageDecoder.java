package dev.sluice.core.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * What a strict HTTP/1.1 decoder does the same way for requests and responses: it reads a head
 * line by line and checks every byte against RFC 9112 (field names are tokens, values hold no
 * control byte, no obs-fold, no bare CR; a line may end in LF alone), notes the framing fields as
 * they go by, and then reads the body exactly as the subclass decided: {@code Content-Length},
 * chunked (sizes of at most 63 bits, extensions checked and ignored, CRLF after every chunk,
 * trailers checked like fields), until the connection closes, or none. Nothing is guessed and
 * nothing is repaired: whatever cannot be framed for certain fails, and once failed the decoder
 * reads nothing more of the connection.
 *
 * <p>Messages out: the subclass's head, then {@link DefaultHttpContent}s holding retained slices
 * of the input and one {@link LastHttpContent} (with the trailers), or, for a message without a
 * body, the head alone as a full message. A failure inside a body is a last content whose
 * {@code DecoderResult} holds a {@link FramingException}.
 *
 * <p>One instance per connection; event-loop confined. Buffers: only slices handed on are
 * retained; the input is owned by {@link ByteToMessageDecoder}.
 */
abstract class MessageDecoder extends ByteToMessageDecoder {

    /** Header objects without Netty's own checks: every byte has been checked here already. */
    static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    /** The longest chunk-size line, extensions included. */
    static final int MAX_CHUNK_LINE = 4096;

    private static final int NEED_MORE = -1;
    private static final int TOO_LONG = -2;

    /** {@code UPGRADED}: after a 101, the bytes are no longer HTTP and stay for whoever takes the connection over. */
    enum State { START, HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, BAD, UPGRADED }

    private final int maxHeadBytes;
    State state = State.START;
    /** Bytes after the reader index already known to hold no LF (so a trickled line is scanned once). */
    private int scanned;
    /** Bytes of the current head or trailer section so far, empty lines before a head included. */
    int headBytes;
    /** Whether the start line of the current head has been read. */
    boolean startLineRead;
    HttpHeaders fields;
    private HttpHeaders trailers;

    /** The framing fields of the current head. */
    final FramingFields framing = new FramingFields();

    /** Bytes of body (or of the current chunk) still to come. */
    long remaining;

    MessageDecoder(int maxHeadBytes) {
        this.maxHeadBytes = maxHeadBytes;
    }

    /**
     * The start line {@code [from, to)} (line ending removed). Returns false when it failed, after
     * {@link #failHead}.
     */
    abstract boolean startLine(ByteBuf in, int from, int to, List<Object> out);

    /** The head is complete and its fields checked: decide the framing, emit the head, set {@link #state}. */
    abstract void headComplete(List<Object> out);

    /** Refuses the current head (nothing of it was emitted). */
    abstract void failHead(HttpResponseStatus status, String reason, List<Object> out);

    /** A chunk of {@code size} bytes was announced: the status that refuses it, or null to read it. */
    abstract HttpResponseStatus refuseChunk(long size);

    /** What a failure inside a body is answered with, when the subclass has no more specific status. */
    abstract HttpResponseStatus bodyFailureStatus();

    /** The longest start line accepted, and the status for a longer one. */
    abstract int maxStartLine();

    abstract HttpResponseStatus startLineTooLong();

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int before = out.size();
        boolean more = true;
        while (more && out.size() == before && in.isReadable()) {
            switch (state) {
                case START, HEAD, TRAILERS -> more = line(in, out);
                case FIXED, CHUNK_DATA -> content(in, out);
                case CHUNK_SIZE -> more = chunkSizeLine(in, out);
                case CHUNK_END -> more = chunkEnd(in, out);
                case UNTIL_CLOSE -> out.add(new DefaultHttpContent(in.readRetainedSlice(in.readableBytes())));
                case BAD -> in.skipBytes(in.readableBytes());
                case UPGRADED -> more = false;
            }
        }
        if (state == State.BAD) {
            in.skipBytes(in.readableBytes()); // after a failure nothing more of the connection is read
        }
    }

    private boolean chunkEnd(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 2) {
            return false;
        }
        if (in.getByte(in.readerIndex()) != Syntax.CR || in.getByte(in.readerIndex() + 1) != Syntax.LF) {
            failBody(bodyFailureStatus(), "chunk data not followed by CRLF", out);
            return false;
        }
        in.skipBytes(2);
        state = State.CHUNK_SIZE;
        return true;
    }

    /** Reads one line of a head or trailer section; false when it has not all arrived (or failed). */
    private boolean line(ByteBuf in, List<Object> out) {
        boolean trailer = state == State.TRAILERS;
        int limit = !trailer && !startLineRead ? Math.min(maxStartLine(), maxHeadBytes - headBytes) : maxHeadBytes - headBytes;
        int lf = findLf(in, limit);
        if (lf == NEED_MORE) {
            return false;
        }
        if (lf == TOO_LONG) {
            if (trailer) {
                failBody(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "trailers over " + maxHeadBytes + " bytes", out);
            } else if (!startLineRead && limit == maxStartLine()) {
                failHead(startLineTooLong(), "start line over " + maxStartLine() + " bytes", out);
            } else {
                failHead(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "head over " + maxHeadBytes + " bytes", out);
            }
            return false;
        }
        int from = in.readerIndex();
        int to = lf > from && in.getByte(lf - 1) == Syntax.CR ? lf - 1 : lf;
        headBytes += lf + 1 - from;
        in.readerIndex(lf + 1);
        if (state == State.START) {
            if (to == from) {
                return true; // an empty line before a start line is ignored (RFC 9112 section 2.2)
            }
            state = State.HEAD;
            startLineRead = false;
        }
        if (to == from) {
            if (trailer) {
                endTrailers(out);
            } else {
                headComplete(out);
            }
            return true;
        }
        if (!startLineRead) {
            startLineRead = true;
            fields = HEADERS.newHeaders();
            framing.reset();
            return startLine(in, from, to, out);
        }
        String problem = field(in, from, to, trailer);
        if (problem != null) {
            if (trailer) {
                failBody(bodyFailureStatus(), problem, out);
            } else {
                failHead(HttpResponseStatus.BAD_REQUEST, problem, out);
            }
            return false;
        }
        return true;
    }

    /** The index of the next LF within {@code limit} bytes, {@link #NEED_MORE}, or {@link #TOO_LONG}. */
    private int findLf(ByteBuf in, int limit) {
        int start = in.readerIndex();
        int to = (int) Math.min(in.writerIndex(), (long) start + limit);
        int lf = to > start + scanned ? in.indexOf(start + scanned, to, Syntax.LF) : -1;
        if (lf >= 0) {
            scanned = 0;
            return lf;
        }
        scanned = to - start;
        return scanned >= limit ? TOO_LONG : NEED_MORE;
    }

    /** Checks and keeps one field line {@code [from, to)}; returns what is wrong with it, or null. */
    private String field(ByteBuf in, int from, int to, boolean trailer) {
        byte first = in.getByte(from);
        if (Syntax.ows(first)) {
            return "obs-fold (a header line continued on the next line)";
        }
        int colon = from;
        while (colon < to && Syntax.tchar(in.getByte(colon))) {
            colon++;
        }
        if (colon == to) {
            return "header line without colon";
        }
        if (in.getByte(colon) != ':' || colon == from) {
            return "invalid header name";
        }
        int v = colon + 1;
        while (v < to && Syntax.ows(in.getByte(v))) {
            v++;
        }
        int e = to;
        while (e > v && Syntax.ows(in.getByte(e - 1))) {
            e--;
        }
        for (int i = v; i < e; i++) {
            byte b = in.getByte(i);
            if (!Syntax.fieldVchar(b) && !Syntax.ows(b)) {
                return b == Syntax.CR ? "bare CR in a header" : "control character in a header value";
            }
        }
        AsciiString name = Syntax.ascii(in, from, colon);
        if (trailer) {
            if (!FramingFields.forbiddenInTrailers(name)) {
                trailers().add(name, Syntax.ascii(in, v, e));
            }
            return null;
        }
        framing.note(in, from, colon, v, e);
        fields.add(name, Syntax.ascii(in, v, e));
        return null;
    }

    private HttpHeaders trailers() {
        if (trailers == null) {
            trailers = TRAILERS.newHeaders();
        }
        return trailers;
    }

    private void endTrailers(List<Object> out) {
        HttpHeaders t = trailers;
        trailers = null;
        out.add(t == null ? LastHttpContent.EMPTY_LAST_CONTENT : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, t));
        endMessage();
    }

    private void content(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(remaining, in.readableBytes());
        ByteBuf part = in.readRetainedSlice(n);
        remaining -= n;
        if (remaining > 0) {
            out.add(new DefaultHttpContent(part));
        } else if (state == State.CHUNK_DATA) {
            out.add(new DefaultHttpContent(part));
            state = State.CHUNK_END;
        } else {
            out.add(new DefaultLastHttpContent(part, TRAILERS));
            endMessage();
        }
    }

    private boolean chunkSizeLine(ByteBuf in, List<Object> out) {
        int lf = findLf(in, MAX_CHUNK_LINE);
        if (lf == NEED_MORE) {
            return false;
        }
        if (lf == TOO_LONG) {
            failBody(bodyFailureStatus(), "chunk-size line over " + MAX_CHUNK_LINE + " bytes", out);
            return false;
        }
        int from = in.readerIndex();
        if (lf == from || in.getByte(lf - 1) != Syntax.CR) {
            failBody(bodyFailureStatus(), "chunk-size line not ended by CRLF", out);
            return false;
        }
        long size = Syntax.chunkSize(in, from, lf - 1);
        in.readerIndex(lf + 1);
        if (size == Syntax.MALFORMED) {
            failBody(bodyFailureStatus(), "malformed chunk-size line", out);
            return false;
        }
        if (size == Syntax.TOO_LARGE) {
            failBody(bodyFailureStatus(), "chunk size too large", out);
            return false;
        }
        HttpResponseStatus refused = refuseChunk(size);
        if (refused != null) {
            failBody(refused, "chunk of " + size + " bytes exceeds the body limit", out);
            return false;
        }
        if (size == 0) {
            state = State.TRAILERS;
            headBytes = 0;
        } else {
            state = State.CHUNK_DATA;
            remaining = size;
        }
        return true;
    }

    /** The message ended: the next byte starts a new one. */
    void endMessage() {
        state = State.START;
        headBytes = 0;
        startLineRead = false;
        fields = null;
    }

    /** Fails inside a body: a last content carrying the failure, and nothing more is read. */
    void failBody(HttpResponseStatus status, String reason, List<Object> out) {
        DefaultLastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, TRAILERS);
        failed.setDecoderResult(DecoderResult.failure(new FramingException(status, reason)));
        out.add(failed);
        state = State.BAD;
    }

    /** Whether a message is partly read (its head begun, or its body not ended). */
    boolean midMessage() {
        return state != State.START && state != State.BAD && state != State.UNTIL_CLOSE;
    }

    /** Whether the body being read was announced (length or chunked), as opposed to the head being read. */
    boolean inBody() {
        return state == State.FIXED || state == State.CHUNK_SIZE || state == State.CHUNK_DATA
                || state == State.CHUNK_END || state == State.TRAILERS;
    }
}

package dev.sluice.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * {@code head-guard} (HTTP/1.1, below the codec): refuses the request-smuggling shapes that Netty's
 * decoder would otherwise normalise silently: {@code Content-Length} together with
 * {@code Transfer-Encoding} (Netty drops the length), a {@code Transfer-Encoding} other than exactly
 * {@code chunked} (Netty would read no body and parse the body as the next request), and obs-fold
 * continuation lines (Netty joins them). RFC 9112 lets a server reject all three; a proxy should,
 * because the next hop may read the message differently.
 *
 * <p>Implementation notes. The guard follows the byte stream's framing itself (request heads,
 * {@code Content-Length} bodies, chunked bodies with their trailers) so it always knows where the
 * next head begins. Bytes of a head are held until the head is complete and checked; everything
 * else is passed on at once, as slices of the buffer that arrived. A refused head is dropped
 * together with everything after it, and a {@link MalformedRequest} is sent up instead; the
 * {@code hygiene} handler answers it with 400 and closes. Heads it cannot frame (bad lengths, bad
 * chunk sizes, oversized heads) are passed through for the codec to refuse. The HTTP/2 preface
 * switches the guard off. One instance per connection; event-loop confined.
 *
 * <p>Buffers: {@link #held} holds the bytes of an incomplete head; it is released when the head is
 * passed on or refused, and in {@link #handlerRemoved}.
 */
public final class HeadGuardHandler extends ChannelInboundHandlerAdapter {

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] PREFACE = "PRI * HTTP/2.0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int LINE = 128;

    private enum State { HEAD, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, PASS, DEAD }

    private final int maxHeadBytes;
    private State state = State.HEAD;
    private @Nullable ByteBuf held;

    // the head being read
    private int headBytes;
    private int lineIndex;
    private final byte[] line = new byte[LINE];
    private int lineLen;
    private boolean sawLength;
    private boolean badLength;
    private long length;
    private int encodings;
    private boolean chunkedOnly;

    // the body being skipped
    private long remaining;
    private boolean sizeDigits;
    private boolean inExtension;

    public HeadGuardHandler(int maxHeadBytes) {
        this.maxHeadBytes = maxHeadBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in) || state == State.PASS) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == State.DEAD) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            scan(ctx, in);
        } finally {
            in.release();
        }
    }

    private void scan(ChannelHandlerContext ctx, ByteBuf in) {
        int from = in.readerIndex();
        int end = in.writerIndex();
        int headStart = state == State.HEAD && headBytes == 0 ? from : -1; // -1: the head began in held
        for (int i = from; i < end; ) {
            switch (state) {
                case HEAD -> {
                    if (headBytes == 0) {
                        headStart = i;
                    }
                    byte b = in.getByte(i++);
                    headBytes++;
                    String problem = headByte(b);
                    if (problem != null) {
                        refuse(ctx, in, from, headStart, problem);
                        return;
                    }
                    if (state == State.PASS) {
                        releaseHeld(ctx, true);
                        forward(ctx, in, from, end);
                        return;
                    }
                    if (state != State.HEAD || headBytes == 0) {
                        releaseHeld(ctx, true); // the head is complete and fine: pass on what was held
                    }
                }
                case FIXED_BODY -> {
                    int n = (int) Math.min(remaining, end - i);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        newHead();
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_END;
                    }
                }
                case PASS -> {
                    forward(ctx, in, from, end); // framing lost (bad chunk size): the codec refuses it
                    return;
                }
                default -> chunkByte(in.getByte(i++));
            }
        }
        if (state == State.HEAD && headBytes > 0) {
            // An incomplete head: pass on what came before it, hold the rest.
            if (headStart >= 0) {
                forward(ctx, in, from, headStart);
                hold(ctx, in, headStart, end);
            } else {
                hold(ctx, in, from, end);
            }
            if (held.readableBytes() > maxHeadBytes) {
                state = State.PASS; // let the codec answer 431
                releaseHeld(ctx, true);
            }
        } else {
            forward(ctx, in, from, end);
        }
    }

    /** Feeds one byte of a head; returns a reason to refuse it, or null. */
    private @Nullable String headByte(byte b) {
        if (b == '\r') {
            return null;
        }
        if (b != '\n') {
            if (lineLen == 0 && lineIndex > 0 && (b == ' ' || b == '\t')) {
                return "obs-fold (a header line continued on the next line)";
            }
            if (lineLen < LINE) {
                line[lineLen] = b;
            }
            lineLen++;
            return null;
        }
        if (lineLen == 0) {
            if (lineIndex == 0) {
                headBytes = 0; // empty lines before a request line are skipped
                return null;
            }
            return endOfHead();
        }
        if (lineIndex == 0 && startsWith(PREFACE, false)) {
            state = State.PASS; // HTTP/2 prior knowledge: not ours to read
            return null;
        }
        if (lineIndex > 0) {
            if (startsWith(CONTENT_LENGTH, true)) {
                long v = parseLength();
                badLength |= sawLength || v < 0;
                sawLength = true;
                length = v;
            } else if (startsWith(TRANSFER_ENCODING, true)) {
                encodings++;
                chunkedOnly = valueIs("chunked");
            }
        }
        lineIndex++;
        lineLen = 0;
        return null;
    }

    private @Nullable String endOfHead() {
        if (encodings > 0 && sawLength) {
            return "Content-Length together with Transfer-Encoding";
        }
        if (encodings > 1 || (encodings == 1 && !chunkedOnly)) {
            return "Transfer-Encoding other than chunked";
        }
        if (badLength) {
            state = State.PASS; // the codec refuses it
            return null;
        }
        if (encodings == 1) {
            state = State.CHUNK_SIZE;
            remaining = 0;
            sizeDigits = false;
            inExtension = false;
        } else if (sawLength && length > 0) {
            state = State.FIXED_BODY;
            remaining = length;
        } else {
            newHead();
        }
        headBytes = 0;
        return null;
    }

    private void chunkByte(byte b) {
        switch (state) {
            case CHUNK_SIZE -> {
                if (b == '\n') {
                    if (!sizeDigits) {
                        state = State.PASS;
                    } else if (remaining == 0) {
                        state = State.TRAILERS;
                        lineLen = 0;
                    } else {
                        state = State.CHUNK_DATA;
                    }
                } else if (!inExtension && b != '\r') {
                    int d = Character.digit(b, 16);
                    if (b == ';' || b == ' ' || b == '\t') {
                        inExtension = true;
                    } else if (d < 0 || remaining > (Long.MAX_VALUE >> 5)) {
                        state = State.PASS; // the codec refuses it
                    } else {
                        remaining = remaining * 16 + d;
                        sizeDigits = true;
                    }
                }
            }
            case CHUNK_END -> {
                if (b == '\n') {
                    state = State.CHUNK_SIZE;
                    remaining = 0;
                    sizeDigits = false;
                    inExtension = false;
                }
            }
            case TRAILERS -> {
                if (b == '\n') {
                    if (lineLen == 0) {
                        newHead();
                    }
                    lineLen = 0;
                } else if (b != '\r') {
                    lineLen++;
                }
            }
            default -> throw new IllegalStateException(state.toString());
        }
    }

    private void newHead() {
        state = State.HEAD;
        headBytes = 0;
        lineIndex = 0;
        lineLen = 0;
        sawLength = false;
        badLength = false;
        length = 0;
        encodings = 0;
        chunkedOnly = false;
    }

    private boolean startsWith(byte[] prefix, boolean ignoreCase) {
        if (lineLen < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            byte c = line[i];
            if (ignoreCase && c >= 'A' && c <= 'Z') {
                c = (byte) (c + 32);
            }
            if (c != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private int valueStart() {
        int colon = 0;
        while (line[colon] != ':') {
            colon++;
        }
        int s = colon + 1;
        while (s < Math.min(lineLen, LINE) && (line[s] == ' ' || line[s] == '\t')) {
            s++;
        }
        return s;
    }

    private int valueEnd() {
        int e = Math.min(lineLen, LINE);
        while (e > 0 && (line[e - 1] == ' ' || line[e - 1] == '\t')) {
            e--;
        }
        return e;
    }

    private long parseLength() {
        if (lineLen > LINE) {
            return -1;
        }
        int s = valueStart();
        int e = valueEnd();
        if (s >= e || e - s > 18) {
            return -1;
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            if (line[i] < '0' || line[i] > '9') {
                return -1;
            }
            v = v * 10 + (line[i] - '0');
        }
        return v;
    }

    private boolean valueIs(String expected) {
        if (lineLen > LINE) {
            return false;
        }
        int s = valueStart();
        int e = valueEnd();
        if (e - s != expected.length()) {
            return false;
        }
        for (int i = 0; i < expected.length(); i++) {
            if (Character.toLowerCase((char) line[s + i]) != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, int from, int headStart, String reason) {
        if (headStart >= 0) {
            forward(ctx, in, from, headStart);
        }
        releaseHeld(ctx, false);
        state = State.DEAD;
        ctx.fireChannelRead(new MalformedRequest(reason));
    }

    private static void forward(ChannelHandlerContext ctx, ByteBuf in, int from, int to) {
        if (to > from) {
            ctx.fireChannelRead(in.retainedSlice(from, to - from));
        }
    }

    private void hold(ChannelHandlerContext ctx, ByteBuf in, int from, int to) {
        if (held == null) {
            held = ctx.alloc().buffer(Math.max(256, to - from));
        }
        held.writeBytes(in, from, to - from);
    }

    /** Passes the held head bytes on ({@code forward}) or drops them. */
    private void releaseHeld(ChannelHandlerContext ctx, boolean forward) {
        ByteBuf h = held;
        held = null;
        if (h == null) {
            return;
        }
        if (forward && h.isReadable()) {
            ctx.fireChannelRead(h);
        } else {
            h.release();
        }
    }

    /**
     * A head held back is invisible to the handlers above, so none of them asks for more bytes; with
     * auto-read off the connection would stall. Ask for the rest of the head here.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (held != null && state == State.HEAD && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ByteBuf h = held;
        held = null;
        if (h != null) {
            if (state == State.HEAD && ctx.channel().isActive()) {
                ctx.fireChannelRead(h); // removed mid-head (switch to HTTP/2): the bytes belong to the next handler
            } else {
                h.release();
            }
        }
    }
}

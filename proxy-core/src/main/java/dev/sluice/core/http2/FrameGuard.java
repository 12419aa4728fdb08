package dev.sluice.core.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code h2-frame-guard}, just before Netty's HTTP/2 frame codec: it follows the frame boundaries
 * of the client's bytes (without copying or changing them) for two rules Netty does not enforce.
 * <ul>
 *   <li>A HEADERS frame that would open a stream numerically lower than one the client already
 *       opened (RFC 9113 section 5.1.1) is a connection error PROTOCOL_ERROR; Netty would answer
 *       with a RST_STREAM, taking it for a frame on a closed stream. A HEADERS frame for a stream
 *       that was opened (trailers, or a late frame on a closed stream) is Netty's to judge. Opened
 *       ids are remembered for the last {@link #WINDOW} streams; anything older counts as opened.</li>
 *   <li>A header block (HEADERS without END_HEADERS, then CONTINUATION frames) must end within
 *       {@code headerTimeout}, or the connection ends with GOAWAY ENHANCE_YOUR_CALM: a client
 *       dribbling CONTINUATION frames cannot hold a connection (and the HPACK state) forever.</li>
 * </ul>
 * A connection error is raised by firing an {@link Http2Exception} at the codec, which answers
 * GOAWAY and closes (and passes the error on to {@code h2-connection}, which counts it); nothing
 * after the offending frame is passed on. One instance per
 * connection; event-loop confined.
 */
public final class FrameGuard extends ChannelInboundHandlerAdapter implements Runnable {

    static final int WINDOW = 4096;
    private static final int PREFACE_BYTES = 24;
    private static final int HEADERS = 0x1;
    private static final int CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;

    private final long headerTimeoutNanos;
    /**
     * Client stream ids opened, by {@code (id >> 1) % opened.length}. It starts at 16 slots and
     * doubles, up to {@link #WINDOW}, while it is shorter than the ids opened so far: a connection
     * of a few streams carries 64 bytes, not 16 KiB (which idle HTTP/2 connections used to each).
     */
    private int[] opened = new int[16];
    private int lastOpened;
    private int prefaceLeft = PREFACE_BYTES;
    private final byte[] header = new byte[9];
    private int headerFill;
    private long payloadLeft;
    private boolean failed;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> headerBlockTimer;

    /**
     * @param lastOpened the highest client stream already open when the guard starts (1 after an
     *     h2c Upgrade, whose request became stream 1), else 0
     */
    public FrameGuard(long headerTimeoutNanos, int lastOpened) {
        this.headerTimeoutNanos = headerTimeoutNanos;
        this.lastOpened = lastOpened;
        if (lastOpened > 0) {
            remember(lastOpened);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int from = in.readerIndex();
        int end = in.writerIndex();
        for (int i = from; i < end; ) {
            if (prefaceLeft > 0) {
                int n = Math.min(prefaceLeft, end - i);
                prefaceLeft -= n;
                i += n;
            } else if (headerFill < 9) {
                header[headerFill++] = in.getByte(i++);
                if (headerFill == 9) {
                    String problem = frame();
                    if (problem != null) {
                        fail(ctx, in, from, i - 9, Http2Error.PROTOCOL_ERROR, problem);
                        return;
                    }
                }
            } else {
                int n = (int) Math.min(payloadLeft, end - i);
                payloadLeft -= n;
                i += n;
            }
            if (headerFill == 9 && payloadLeft == 0) {
                headerFill = 0;
            }
        }
        ctx.fireChannelRead(in);
    }

    /** Notes an opened stream, growing the ring first while it cannot hold every id up to this one. */
    private void remember(int stream) {
        int need = (stream >> 1) + 1;
        if (need > opened.length && opened.length < WINDOW) {
            int size = opened.length;
            while (size < need && size < WINDOW) {
                size <<= 1;
            }
            int[] grown = new int[size];
            for (int id : opened) { // not yet full size: no two ids shared a slot
                if (id != 0) {
                    grown[(id >> 1) % size] = id;
                }
            }
            opened = grown;
        }
        opened[(stream >> 1) % opened.length] = stream;
    }

    /** A frame header was read: checks it; returns what is wrong, or null. */
    private String frame() {
        payloadLeft = (header[0] & 0xffL) << 16 | (header[1] & 0xff) << 8 | (header[2] & 0xff);
        int type = header[3] & 0xff;
        int flags = header[4] & 0xff;
        int stream = ((header[5] & 0x7f) << 24) | ((header[6] & 0xff) << 16) | ((header[7] & 0xff) << 8) | (header[8] & 0xff);
        if (type == HEADERS && (stream & 1) == 1) {
            if (stream > lastOpened) {
                lastOpened = stream;
                remember(stream);
            } else if (lastOpened - stream < 2 * opened.length && opened[(stream >> 1) % opened.length] != stream) {
                return "HEADERS would open stream " + stream + ", lower than stream " + lastOpened + " the client opened before";
            }
        }
        if (type == HEADERS && (flags & END_HEADERS) == 0) {
            startHeaderBlock();
        } else if (type == CONTINUATION && (flags & END_HEADERS) != 0) {
            endHeaderBlock();
        }
        return null;
    }

    private void startHeaderBlock() {
        if (headerBlockTimer == null) {
            headerBlockTimer = ctx.executor().schedule(this, headerTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void endHeaderBlock() {
        if (headerBlockTimer != null) {
            headerBlockTimer.cancel(false);
            headerBlockTimer = null;
        }
    }

    /** The header block did not end within {@code headerTimeout}. */
    @Override
    public void run() {
        headerBlockTimer = null;
        if (!failed && ctx.channel().isActive()) {
            failed = true;
            String why = "header block not complete within " + TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos) + "ms (headerTimeout)";
            ctx.fireExceptionCaught(Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM, why));
        }
    }

    /** Passes on the frames before the offending one, then has the codec answer GOAWAY. */
    private void fail(ChannelHandlerContext ctx, ByteBuf in, int from, int frameStart, Http2Error code, String why) {
        failed = true;
        endHeaderBlock();
        if (frameStart > from) {
            ctx.fireChannelRead(in.retainedSlice(from, frameStart - from));
        }
        in.release();
        ctx.fireExceptionCaught(Http2Exception.connectionError(code, why));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        endHeaderBlock();
    }
}

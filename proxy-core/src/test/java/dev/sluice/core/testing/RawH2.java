package dev.sluice.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/2 client of hand-built frames on a plain socket, for conformance tests: it sends exactly
 * the frames a test asks for, valid or not (header blocks are HPACK-encoded without any check),
 * and reads the server's frames one by one. The connection preface and an empty SETTINGS are sent
 * on connect; the server's SETTINGS are acknowledged as they arrive.
 */
public final class RawH2 implements AutoCloseable {

    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int PRIORITY = 0x2;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;
    public static final int CONTINUATION = 0x9;

    public static final int END_STREAM = 0x1;
    public static final int ACK = 0x1;
    public static final int END_HEADERS = 0x4;

    /** HTTP/2 error codes (RFC 9113 section 7). */
    public static final int NO_ERROR = 0x0;
    public static final int PROTOCOL_ERROR = 0x1;
    public static final int FLOW_CONTROL_ERROR = 0x3;
    public static final int STREAM_CLOSED = 0x5;
    public static final int FRAME_SIZE_ERROR = 0x6;
    public static final int REFUSED_STREAM = 0x7;
    public static final int CANCEL = 0x8;
    public static final int COMPRESSION_ERROR = 0x9;
    public static final int ENHANCE_YOUR_CALM = 0xb;

    /** One frame as read; a HEADERS frame's block is decoded into {@code headers}. */
    public record Frame(int type, int flags, int stream, byte[] payload, Http2Headers headers) {
        /** The error code of a RST_STREAM, or of a GOAWAY. */
        public int errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xff) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8) | (payload[at + 3] & 0xff);
        }

        public boolean endStream() {
            return (flags & END_STREAM) != 0;
        }

        @Override
        public String toString() {
            return "Frame[type=" + type + ", flags=" + flags + ", stream=" + stream + ", length=" + payload.length + "]";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    private boolean serverSettingsSeen;

    /** Connects and sends the connection preface and an empty SETTINGS frame. */
    public RawH2(InetSocketAddress address) throws IOException {
        this(address, true);
    }

    /** Connects; with {@code preface}, sends the connection preface and an empty SETTINGS frame. */
    public RawH2(InetSocketAddress address, boolean preface) throws IOException {
        socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        if (preface) {
            raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(SETTINGS, 0, 0, new byte[0]);
        }
    }

    /**
     * Reads until the server's SETTINGS frame has come and been acknowledged, so no acknowledgement
     * can fall inside a header block the test sends later. Returns this client.
     */
    public RawH2 settled() throws IOException {
        while (!serverSettingsSeen) {
            if (readFrame() == null) {
                throw new IOException("no SETTINGS from the server");
            }
        }
        return this;
    }

    /** A request's header block for {@code method path}, with {@code :scheme http} and {@code :authority t}. */
    public static Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers(false).method(method).scheme("http").authority("t").path(path);
    }

    /** Headers with no pseudo-header and no check at all. */
    public static Http2Headers headers() {
        return new DefaultHttp2Headers(false);
    }

    /** The HPACK encoding of {@code headers}, as they are (no check). */
    public byte[] block(Http2Headers headers) {
        ByteBuf b = Unpooled.buffer();
        try {
            encoder.encodeHeaders(0, headers, b);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            return bytes;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            b.release();
        }
    }

    public RawH2 headers(int stream, Http2Headers headers, boolean endStream) throws IOException {
        return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block(headers));
    }

    public RawH2 data(int stream, String data, boolean endStream) throws IOException {
        return frame(DATA, endStream ? END_STREAM : 0, stream, data.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawH2 windowUpdate(int stream, int increment) throws IOException {
        return frame(WINDOW_UPDATE, 0, stream, int32(increment));
    }

    public RawH2 ping() throws IOException {
        return frame(PING, 0, 0, new byte[8]);
    }

    /** Writes one frame: a 9-byte header and {@code payload}. */
    public RawH2 frame(int type, int flags, int stream, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(9 + payload.length);
        f.write(payload.length >>> 16);
        f.write(payload.length >>> 8);
        f.write(payload.length);
        f.write(type);
        f.write(flags);
        f.write(int32(stream), 0, 4);
        f.write(payload, 0, payload.length);
        return raw(f.toByteArray());
    }

    public RawH2 raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** The longest any one wait of this client lasts, however many frames the server sends meanwhile. */
    private static final long WAIT_NANOS = 10_000_000_000L;

    /**
     * The next frame from the server, or null when the connection ended (closed or reset), or
     * nothing but skipped frames came within 10 s. SETTINGS are acknowledged, and they, WINDOW_UPDATEs
     * and PINGs' answers are skipped.
     */
    public Frame next() throws IOException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() - deadline < 0) {
            Frame f = readFrame();
            if (f == null) {
                return null;
            }
            if (f.type() == SETTINGS || f.type() == WINDOW_UPDATE || (f.type() == PING && (f.flags() & ACK) != 0)) {
                continue;
            }
            return f;
        }
        return null;
    }

    /** One frame, or null at the end; a server SETTINGS is acknowledged on the way. */
    private Frame readFrame() throws IOException {
        Frame f;
        try {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            f = new Frame(type, flags, stream, payload, type == HEADERS ? decode(stream, payload) : null);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return null; // closed or reset
        }
        if (f.type() == SETTINGS && (f.flags() & ACK) == 0) {
            frame(SETTINGS, ACK, 0, new byte[0]);
            serverSettingsSeen = true;
        }
        return f;
    }

    /** Reads until a frame of {@code type} for {@code stream} (any stream for GOAWAY), or null (after at most 10 s). */
    public Frame await(int type, int stream) throws IOException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        Frame f;
        while (System.nanoTime() - deadline < 0 && (f = next()) != null) {
            if (f.type() == type && (type == GOAWAY || f.stream() == stream)) {
                return f;
            }
        }
        return null;
    }

    /** The first frame that ends {@code stream} (a RST_STREAM, or one with END_STREAM), or a GOAWAY; null when none came. */
    public Frame awaitEnd(int stream) throws IOException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        Frame f;
        while (System.nanoTime() - deadline < 0 && (f = next()) != null) {
            if (f.type() == GOAWAY || (f.stream() == stream && (f.type() == RST_STREAM || f.endStream()))) {
                return f;
            }
        }
        return null;
    }

    /** Every block must be decoded, in order: HPACK's dynamic table is shared by the connection. */
    private Http2Headers decode(int stream, byte[] block) throws IOException {
        ByteBuf b = Unpooled.wrappedBuffer(block);
        try {
            return decoder.decodeHeaders(stream, b);
        } catch (Exception e) {
            throw new IOException("undecodable header block from the server", e);
        } finally {
            b.release();
        }
    }

    /** The {@code :status} of a HEADERS frame. */
    public static int status(Frame headers) {
        return Integer.parseInt(headers.headers().status().toString());
    }

    /** Whether the server closed the connection within 10 s (reading and dropping any frames before the end). */
    public boolean closed() throws IOException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        try {
            while (System.nanoTime() - deadline < 0) {
                int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                in.skipNBytes(6L + length);
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // end of stream, or reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package dev.sluice.core.http.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Where WebSocket frames begin and end in one direction of a tunnel (RFC 6455 section 5.2),
 * followed without copying or unmasking a byte, so that Sluice can put a frame of its own (a
 * close on drain) between two frames, never inside one. Event-loop confined.
 */
final class FrameBoundaries {

    private final byte[] header = new byte[14];
    private int headerHave;
    private long payloadLeft;

    /** Forgets everything: a new tunnel. */
    void reset() {
        headerHave = 0;
        payloadLeft = 0;
    }

    /** Whether the bytes seen so far end exactly at the end of a frame. */
    boolean atBoundary() {
        return headerHave == 0 && payloadLeft == 0;
    }

    /** Follows the readable bytes of {@code bytes} (its indexes are not moved). */
    void feed(ByteBuf bytes) {
        int i = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (i < end) {
            if (payloadLeft > 0) {
                int take = (int) Math.min(payloadLeft, end - i);
                payloadLeft -= take;
                i += take;
                continue;
            }
            header[headerHave++] = bytes.getByte(i++);
            if (headerHave >= 2 && headerHave == headerLength()) {
                payloadLeft = payloadLength();
                headerHave = 0;
            }
        }
    }

    private int headerLength() {
        int len7 = header[1] & 0x7f;
        boolean masked = (header[1] & 0x80) != 0;
        return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    }

    private long payloadLength() {
        int len7 = header[1] & 0x7f;
        if (len7 < 126) {
            return len7;
        }
        int bytes = len7 == 126 ? 2 : 8;
        long v = 0;
        for (int k = 2; k < 2 + bytes; k++) {
            v = (v << 8) | (header[k] & 0xff);
        }
        return v;
    }
}

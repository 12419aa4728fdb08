package dev.sluice.core.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class FrameBoundariesTest {

    private final FrameBoundaries frames = new FrameBoundaries();

    /** A frame header: FIN + opcode, the length in its short, 16-bit or 64-bit form, and a mask when {@code masked}. */
    private static ByteBuf frame(int payload, boolean masked) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x82);
        int mask = masked ? 0x80 : 0;
        if (payload < 126) {
            b.writeByte(mask | payload);
        } else if (payload < 65536) {
            b.writeByte(mask | 126).writeShort(payload);
        } else {
            b.writeByte(mask | 127).writeLong(payload);
        }
        if (masked) {
            b.writeInt(0x11223344);
        }
        b.writeZero(payload);
        return b;
    }

    @Test
    void framesOfEachLengthFormEndWhereTheirPayloadEnds() {
        for (int payload : new int[] {0, 5, 125, 126, 300, 65535, 65536, 70000}) {
            for (boolean masked : new boolean[] {false, true}) {
                ByteBuf f = frame(payload, masked);
                frames.feed(f.slice(0, f.readableBytes() - 1));
                assertFalse(frames.atBoundary(), "one byte short of a frame of " + payload);
                frames.reset();
                int readable = f.readableBytes();
                frames.feed(f);
                assertTrue(frames.atBoundary(), "after a frame of " + payload + (masked ? " masked" : ""));
                assertEquals(readable, f.readableBytes(), "the buffer's indexes do not move");
                f.release();
            }
        }
    }

    @Test
    void aHeaderSplitAcrossReadsIsFollowed() {
        ByteBuf f = frame(300, true);
        for (int i = 0; i < f.readableBytes(); i++) {
            frames.feed(f.slice(i, 1));
            assertEquals(i == f.readableBytes() - 1, frames.atBoundary(), "byte " + i);
        }
        f.release();
    }

    @Test
    void twoFramesInOneReadEndAtTheSecond() {
        ByteBuf both = Unpooled.wrappedBuffer(frame(10, false), frame(200, false));
        frames.feed(both.slice(0, 12 + 3));
        assertFalse(frames.atBoundary(), "inside the second's header");
        frames.feed(both.slice(15, both.readableBytes() - 15));
        assertTrue(frames.atBoundary());
        both.release();
    }
}

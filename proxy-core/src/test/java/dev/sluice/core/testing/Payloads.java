package dev.sluice.core.testing;

import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32;

/** Deterministic bodies of any size, and their checksums, without holding them in memory. */
public final class Payloads {

    private Payloads() {
    }

    /** The byte at {@code offset} of every payload. */
    public static byte byteAt(long offset) {
        long x = offset * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56);
    }

    public static void fill(byte[] dst, long offset) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = byteAt(offset + i);
        }
    }

    /**
     * Appends {@code length} payload bytes. One bulk write: under paranoid leak detection every
     * single-byte write on a buffer is an access record, which made a 10 MiB download take seconds.
     */
    public static void fill(ByteBuf dst, long offset, int length) {
        byte[] bytes = new byte[length];
        fill(bytes, offset);
        dst.writeBytes(bytes);
    }

    /** CRC32 of the first {@code size} bytes of the payload. */
    public static long crc(long size) {
        CRC32 crc = new CRC32();
        byte[] chunk = new byte[64 * 1024];
        for (long off = 0; off < size; off += chunk.length) {
            int n = (int) Math.min(chunk.length, size - off);
            for (int i = 0; i < n; i++) {
                chunk[i] = byteAt(off + i);
            }
            crc.update(chunk, 0, n);
        }
        return crc.getValue();
    }
}

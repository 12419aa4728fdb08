package dev.sluice.core.internal;

import io.netty.channel.WriteBufferWaterMark;
import java.util.concurrent.atomic.AtomicInteger;

/** Small shared pieces of the data plane's limits. Not API. */
public final class Limits {

    /**
     * Write-buffer water marks of every channel, client and upstream alike: above 64 KiB queued a
     * channel turns unwritable and the proxy stops reading the other side until it drains to 32 KiB.
     */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private Limits() {
    }

    /** Adds one to {@code count} unless it is already at {@code limit}; lock-free. */
    public static boolean incrementBelow(AtomicInteger count, int limit) {
        for (;;) {
            int n = count.get();
            if (n >= limit) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }
}

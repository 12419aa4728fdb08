package dev.sluice.core.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak check must be able to fail, or every "no leak" it reports means nothing. */
class LeakDetectionTest {

    @Test
    void reportsABufferThatWasNeverReleased() {
        LeakDetection.collect(); // start clean
        leakOne();
        List<String> leaks = LeakDetection.collect();
        assertFalse(leaks.isEmpty(), "a dropped buffer was not reported");
        assertTrue(leaks.get(0).startsWith("LEAK "), leaks.get(0));
    }

    private static void leakOne() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(16);
        b.writeLong(42);
        // dropped without release()
    }
}

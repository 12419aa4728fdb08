package dev.sluice.core.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GcraBucketTest {

    private static final long S = 1_000_000_000L;
    private static final long NEAR_OVERFLOW = Long.MAX_VALUE - 5 * S;

    @Test
    void burstThenSustainedRateExactToTheToken() {
        long t = NEAR_OVERFLOW;
        GcraBucket b = new GcraBucket(10, 5, t); // a token every 100 ms
        for (int i = 0; i < 5; i++) {
            assertTrue(b.tryAcquire(t), "burst token " + i);
        }
        assertFalse(b.tryAcquire(t));
        assertFalse(b.tryAcquire(t + 99_999_999L), "one nanosecond early");
        assertTrue(b.tryAcquire(t + 100_000_000L));
        assertFalse(b.tryAcquire(t + 100_000_000L));
        int admitted = 0;
        for (int ms = 0; ms < 10_000; ms++) { // every ms for 10 s; the clock crosses Long.MAX_VALUE on the way
            admitted += b.tryAcquire(t + 100_000_000L + ms * 1_000_000L) ? 1 : 0;
        }
        assertEquals(99, admitted, "a token every 100 ms from t+200 ms to t+10 s");
    }

    @Test
    void refillsToBurstAfterWaitingAndNoFurther() {
        long t = 0;
        GcraBucket b = new GcraBucket(100, 10, t);
        for (int i = 0; i < 10; i++) {
            b.tryAcquire(t);
        }
        assertEquals(0, b.remaining(t));
        assertEquals(10 * S / 100, b.nanosUntilFull(t));
        assertEquals(10_000_000L, b.nanosUntilToken(t));
        assertEquals(5, b.remaining(t + 50_000_000L));
        assertEquals(10, b.remaining(t + 10 * S), "an idle bucket holds burst, not more");
        int burst = 0;
        while (b.tryAcquire(t + 10 * S)) {
            burst++;
        }
        assertEquals(10, burst);
    }

    @Test
    void concurrentAcquireNeverOverAdmits() throws Exception {
        long t = NEAR_OVERFLOW;
        GcraBucket b = new GcraBucket(1, 1000, t);
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 10_000; i++) {
                    if (b.tryAcquire(t)) {
                        admitted.incrementAndGet();
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(1000, admitted.get());
    }
}

package dev.sluice.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.Zipf;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HeavyHittersTest {

    @Test
    void aZipfStreamOverTenThousandKeysFindsTheTrueTopKeysInSixtyFourCounters() {
        HeavyHitters h = new HeavyHitters(64);
        Zipf zipf = new Zipf(10_000, 1.1, 11);
        for (int i = 0; i < 200_000; i++) {
            h.offer("tenant-" + zipf.next());
        }
        List<HeavyHitters.Hitter> top = h.top(10);
        assertEquals("tenant-0", top.get(0).key());
        Set<String> reported = top.stream().map(HeavyHitters.Hitter::key).collect(Collectors.toSet());
        for (int k = 0; k < 5; k++) {
            assertTrue(reported.contains("tenant-" + k), "tenant-" + k + " missing from " + top);
        }
    }

    @Test
    void ratesDecayOncePerSecondAndColdKeysAreForgotten() {
        HeavyHitters h = new HeavyHitters(8);
        for (int i = 0; i < 100; i++) {
            h.offer("hot");
        }
        assertEquals(100 * (1 - HeavyHitters.DECAY), h.top(1).get(0).perSecond(), 1e-9);
        for (int s = 0; s < 80; s++) {
            h.decay();
        }
        assertTrue(h.top(5).isEmpty(), "a key nobody asked for in 80 s is gone");
    }
}

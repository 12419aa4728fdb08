package dev.sluice.core.health;

import static dev.sluice.core.health.HealthTracker.Result.CHANGED;
import static dev.sluice.core.health.HealthTracker.Result.PENDING;
import static dev.sluice.core.health.HealthTracker.Result.UNCHANGED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HealthTrackerTest {

    @Test
    void aNodeFlappingEveryOtherProbeNeverChangesState() {
        HealthTracker t = new HealthTracker(2, 3);
        for (int i = 0; i < 1000; i++) {
            assertTrue(t.onProbe(i % 2 == 0) != CHANGED, "probe " + i);
        }
        assertTrue(t.healthy());
    }

    @Test
    void fallAfterThreeFailuresRiseAfterTwoSuccesses() {
        HealthTracker t = new HealthTracker(2, 3);
        assertEquals(List.of(PENDING, PENDING, CHANGED), List.of(t.onProbe(false), t.onProbe(false), t.onProbe(false)));
        assertFalse(t.healthy());
        assertEquals(UNCHANGED, t.onProbe(false));
        assertEquals(List.of(PENDING, CHANGED), List.of(t.onProbe(true), t.onProbe(true)));
        assertTrue(t.healthy());
        assertEquals(List.of(PENDING, PENDING, UNCHANGED, PENDING), List.of(t.onProbe(false), t.onProbe(false), t.onProbe(true), t.onProbe(false)),
                "a success in between restarts the count");
        assertTrue(t.healthy());
    }
}

package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Node;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The peak-EWMA estimate and the peak-ewma picker, on a driven clock. */
class PeakEwmaTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final long T0 = 5 * S;

    @Test
    void startsAtTheDefaultLatency() {
        assertEquals(30 * MS, new PeakEwma(30 * MS, 10 * S, T0).estimate(), 1e3);
    }

    @Test
    void aSlowerSampleReplacesTheEstimateAtOnce() {
        PeakEwma e = new PeakEwma(30 * MS, 10 * S, T0);
        e.observe(T0 + MS, 2 * S);
        assertEquals(2 * S, e.estimate(), 1e3);
    }

    @Test
    void aFasterSampleDecaysItWithTheTimeSinceTheLast() {
        PeakEwma e = new PeakEwma(30 * MS, 10 * S, T0);
        e.observe(T0, 2 * S);
        e.observe(T0 + 10 * S, 10 * MS); // one decay time later: weight exp(-1) stays
        double w = Math.exp(-1);
        assertEquals(2 * S * w + 10 * MS * (1 - w), e.estimate(), 2e3 * S / 1e6);
    }

    @Test
    void aFasterSampleRightAfterMovesItLittle() {
        PeakEwma e = new PeakEwma(30 * MS, 10 * S, T0);
        e.observe(T0, 100 * MS);
        e.observe(T0 + MS, 1 * MS);
        assertEquals(100 * MS, e.estimate(), 0.2 * MS);
    }

    @Test
    void ageingDecaysTowardsZero() {
        PeakEwma e = new PeakEwma(30 * MS, 10 * S, T0);
        e.observe(T0, 2 * S);
        e.age(T0 + 20 * S);
        assertEquals(2 * S * Math.exp(-2), e.estimate(), 1e-3 * S);
    }

    @Test
    void decaysTheSameWhenTheClockPassesLongMaxValue() {
        long before = Long.MAX_VALUE - 3 * S;
        PeakEwma e = new PeakEwma(30 * MS, 10 * S, before);
        e.observe(before, 2 * S);
        e.age(before + 10 * S); // overflows to a negative reading
        assertEquals(2 * S * Math.exp(-1), e.estimate(), 1e-3 * S);
    }

    @Test
    void aFailureRaisesButNeverLowers() {
        PeakEwma e = new PeakEwma(30 * MS, 10 * S, T0);
        e.observeFailure(T0 + S, MS); // a fast connect error
        assertEquals(30 * MS, e.estimate(), 1e3);
        e.observeFailure(T0 + 2 * S, 500 * MS); // a timeout
        assertEquals(500 * MS, e.estimate(), 1e3);
    }

    @Test
    void costIsLatencyTimesInFlightPlusOne() {
        List<Node> nodes = Nodes.withWeights(1, 1);
        nodes.get(0).latency().observe(T0, 10 * MS);
        nodes.get(1).latency().observe(T0, 30 * MS);
        Picker p = CostBalancer.peakEwma(10, seeded()).newPicker(nodes, T0);
        assertSame(nodes.get(0), p.pick(null)); // 10 x 1 < 30 x 1
        nodes.get(0).beginRequest();
        nodes.get(0).beginRequest();
        nodes.get(0).beginRequest(); // 10 x 4 > 30 x 1
        assertSame(nodes.get(1), p.pick(null));
    }

    @Test
    void weightScalesTheCost() {
        List<Node> nodes = Nodes.withWeights(1, 4);
        nodes.get(0).latency().observe(T0, 10 * MS);
        nodes.get(1).latency().observe(T0, 30 * MS); // 30 / 4 < 10
        Picker p = CostBalancer.peakEwma(10, seeded()).newPicker(nodes, T0);
        assertSame(nodes.get(1), p.pick(null));
    }

    @Test
    void aStalledNodeIsAvoidedOnceItsRequestsPileUp() {
        List<Node> nodes = Nodes.withWeights(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        for (Node n : nodes) {
            n.latency().observe(T0, 10 * MS);
        }
        Picker p = CostBalancer.peakEwma(10, seeded()).newPicker(nodes, T0); // 11 > 10: two choices
        Node stalled = nodes.get(0);
        int sent = 0;
        for (int i = 0; i < 10_000; i++) {
            Node n = p.pick(null);
            if (n == stalled) {
                stalled.beginRequest(); // never completes
                sent++;
            }
        }
        // Others stay idle at cost 10; the stalled one costs 10 x (k + 1): after the first, it loses every comparison.
        assertEquals(1, sent);
    }

    private static RandomSource seeded() {
        SplittableRandom r = new SplittableRandom(7);
        return r::nextInt;
    }
}

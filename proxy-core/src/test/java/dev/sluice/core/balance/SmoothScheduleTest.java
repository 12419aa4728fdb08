package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SmoothScheduleTest {

    /** Longest cyclic run of each index in {@code seq}. */
    static int[] longestRuns(int[] seq, int n) {
        int[] longest = new int[n];
        int len = seq.length;
        for (int start = 0; start < len; start++) {
            if (seq[start] == seq[(start - 1 + len) % len] && len > 1) {
                continue; // not the start of a run (unless the whole sequence is one run)
            }
            int run = 1;
            while (run < len && seq[(start + run) % len] == seq[start]) {
                run++;
            }
            longest[seq[start]] = Math.max(longest[seq[start]], run);
        }
        return longest;
    }

    /** The least any cyclic sequence can do: the heaviest node between the others, everybody else alone. */
    static int bound(int[] w, int i) {
        long total = 0;
        for (int x : w) {
            total += x;
        }
        long others = total - w[i];
        return others == 0 ? w[i] : (int) Math.max(1, (w[i] + others - 1) / others);
    }

    @Test
    void fiveOneOneRunsTheHeavyNodeAtMostThreeTimesEvenAcrossTheWrap() {
        int[] seq = SmoothSchedule.build(new int[] {5, 1, 1});
        assertArrayEquals(new int[] {1, 0, 0, 2, 0, 0, 0}, seq);
        assertArrayEquals(new int[] {3, 1, 1}, longestRuns(seq, 3));
    }

    @Test
    void everyNodeGetsExactlyItsWeightAndNoRunExceedsTheBound() {
        SplittableRandom r = new SplittableRandom(20261122L);
        for (int trial = 0; trial < 2_000; trial++) {
            int n = 1 + r.nextInt(12);
            int[] w = new int[n];
            for (int i = 0; i < n; i++) {
                w[i] = 1 + r.nextInt(r.nextBoolean() ? 5 : 100);
            }
            int[] seq = SmoothSchedule.build(w);
            int[] counts = new int[n];
            for (int x : seq) {
                counts[x]++;
            }
            assertArrayEquals(w, counts, "weights " + java.util.Arrays.toString(w));
            int[] runs = longestRuns(seq, n);
            for (int i = 0; i < n; i++) {
                assertTrue(runs[i] <= bound(w, i), "node " + i + " ran " + runs[i] + " > " + bound(w, i)
                        + " with weights " + java.util.Arrays.toString(w));
            }
        }
    }

    @Test
    void equalWeightsAlternate() {
        assertArrayEquals(new int[] {0, 1, 2}, SmoothSchedule.build(new int[] {1, 1, 1}));
        assertEquals(4, SmoothSchedule.build(new int[] {2, 2}).length);
        assertArrayEquals(new int[] {1, 1}, longestRuns(SmoothSchedule.build(new int[] {2, 2}), 2));
    }
}

package dev.sluice.core.balance;

import java.util.Arrays;

/**
 * One period of a weighted rotation that is smooth even across its wrap-around.
 *
 * <p>Algorithm. Nodes are added lightest first. The sequence starts as the lightest node repeated;
 * each heavier node {@code h} is then spread over the gaps of the sequence so far (R gaps for R
 * entries, counted cyclically): with {@code w(h) >= R}, every gap receives {@code floor} or
 * {@code ceil(w(h)/R)} copies, evenly (Bresenham); with {@code w(h) < R}, at most one copy per gap,
 * first into every gap between two equal neighbours, then evenly over the others. By induction only
 * the newest node can sit next to itself, and the heavier node always has enough copies to separate
 * those neighbours, so in the final sequence every node but the heaviest is never picked twice in a
 * row, and the heaviest, of weight w in a total of W, at most {@code ceil(w / (W - w))} times in a
 * row — the least any sequence can do. (nginx's smooth weighted round robin guarantees this only
 * inside a period: weights 5:1:1 give {@code a a b a c a a}, whose wrap runs {@code a} four times.)
 *
 * <p>Cost O(W x n) for a period of W over n nodes; built off the request path.
 */
public final class SmoothSchedule {

    private SmoothSchedule() {
    }

    /** Indexes into {@code weights}, {@code weights[i]} occurrences of each i (all weights >= 1). */
    public static int[] build(int[] weights) {
        int n = weights.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> weights[a] != weights[b] ? Integer.compare(weights[a], weights[b]) : Integer.compare(a, b));
        int[] seq = new int[weights[order[0]]];
        Arrays.fill(seq, order[0]);
        for (int k = 1; k < n; k++) {
            seq = insert(seq, order[k], weights[order[k]]);
        }
        return seq;
    }

    private static int[] insert(int[] seq, int h, int wh) {
        int r = seq.length;
        int[] counts = new int[r];
        if (wh >= r) {
            spread(counts, null, r, wh);
        } else {
            int[] good = new int[r];
            int goods = 0;
            int bad = 0;
            for (int g = 0; g < r; g++) {
                if (seq[g] == seq[(g + 1) % r]) {
                    counts[g] = 1;
                    bad++;
                } else {
                    good[goods++] = g;
                }
            }
            spread(counts, good, goods, wh - bad);
        }
        int[] out = new int[r + wh];
        int at = 0;
        for (int g = 0; g < r; g++) {
            out[at++] = seq[g];
            for (int c = 0; c < counts[g]; c++) {
                out[at++] = h;
            }
        }
        return out;
    }

    /** Adds {@code total} copies evenly over {@code slots} gaps (the gaps listed in {@code which}, or 0..slots-1). */
    private static void spread(int[] counts, int[] which, int slots, int total) {
        for (int j = 0; j < slots; j++) {
            int c = (int) ((long) (j + 1) * total / slots - (long) j * total / slots);
            counts[which == null ? j : which[j]] += c;
        }
    }
}

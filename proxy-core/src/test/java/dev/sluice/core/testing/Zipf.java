package dev.sluice.core.testing;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded Zipf(s) ranks over {@code 0..n-1} (rank 0 the hottest), by inverse CDF. */
public final class Zipf {

    private final double[] cdf;
    private final SplittableRandom random;

    public Zipf(int n, double s, long seed) {
        cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, s);
            cdf[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= sum;
        }
        random = new SplittableRandom(seed);
    }

    public int next() {
        int i = Arrays.binarySearch(cdf, random.nextDouble());
        return Math.min(cdf.length - 1, i < 0 ? -i - 1 : i);
    }
}

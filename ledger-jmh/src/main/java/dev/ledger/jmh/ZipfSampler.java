package dev.ledger.jmh;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded sampler of ranks 0..n-1 with Zipf's law: P(rank k) proportional to 1 / (k + 1)^s. Rank 0 is the hottest.
 * Inverse-CDF sampling over a precomputed table (n doubles), O(log n) per draw, no allocation. Not thread-safe: give
 * each thread its own, seeded differently.
 */
public final class ZipfSampler {
    private final double[] cdf;
    private final SplittableRandom random;

    /**
     * @param n the number of ranks, at least 1
     * @param s the exponent, at least 0 (0 is uniform)
     * @param seed the seed of this sampler's random sequence
     */
    public ZipfSampler(int n, double s, long seed) {
        if (n < 1 || !(s >= 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("need n >= 1 and finite s >= 0, got n=" + n + ", s=" + s);
        }
        cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, s);
            cdf[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= sum;
        }
        cdf[n - 1] = 1.0;
        random = new SplittableRandom(seed);
    }

    /** The probability of {@code rank}. */
    public double probability(int rank) {
        return rank == 0 ? cdf[0] : cdf[rank] - cdf[rank - 1];
    }

    /** The next rank, 0..n-1. */
    public int next() {
        double u = random.nextDouble();
        int i = Arrays.binarySearch(cdf, u);
        // binarySearch gives the index of u, or -(insertion point) - 1: the first cdf entry greater than u.
        int rank = i >= 0 ? i : -i - 1;
        return Math.min(rank, cdf.length - 1);
    }

    /** The next rank that differs from {@code other} (n must be at least 2). */
    public int nextOtherThan(int other) {
        int rank;
        do {
            rank = next();
        } while (rank == other);
        return rank;
    }
}

package dev.ledger.core.memory;

/**
 * How a store's growing storage is cut into arrays: chunk {@code k} holds {@code 2^(first + k)} items while that is
 * below {@code 2^max}, then every chunk holds {@code 2^max}. A small store allocates little; a large one allocates few
 * large arrays, which the garbage collector places once and never copies. Item {@code i} is at {@link #offset(int)} in
 * chunk {@link #chunk(int)}.
 */
final class Chunks {
    private final int first;
    private final int max;
    /** The first item of the first chunk of the largest size. */
    private final int firstFull;

    Chunks(int first, int max) {
        this.first = first;
        this.max = max;
        this.firstFull = ((1 << (max - first)) - 1) << first;
    }

    int chunk(int item) {
        if (item < firstFull) {
            return 31 - Integer.numberOfLeadingZeros((item >>> first) + 1);
        }
        return max - first + ((item - firstFull) >>> max);
    }

    int offset(int item) {
        if (item < firstFull) {
            int k = 31 - Integer.numberOfLeadingZeros((item >>> first) + 1);
            return item - (((1 << k) - 1) << first);
        }
        return (item - firstFull) & ((1 << max) - 1);
    }

    /** The number of items chunk {@code k} holds. */
    int size(int k) {
        return 1 << Math.min(first + k, max);
    }

    /** The number of chunks needed for 2^31 items. */
    int count() {
        return chunk(Integer.MAX_VALUE) + 1;
    }
}

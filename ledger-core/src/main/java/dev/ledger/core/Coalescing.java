package dev.ledger.core;

import dev.ledger.core.internal.Checks;

/**
 * How a {@link Ledger} combines concurrent {@link Ledger#transfer(TransferRequest)} calls into batches
 * ({@link Ledger.Builder#coalescing(Coalescing)}).
 *
 * <p>With coalescing, a call queues its request and either writes a batch itself (when fewer than
 * {@link #maxConcurrentBatches()} batches are being written) or waits while another caller's batch carries it:
 * <em>natural batching</em>, a batch holds what queued while the previous one was being written, at most
 * {@link #maxBatchSize()} requests, and no call waits for a batch to fill. Each caller gets exactly the result or
 * exception it would have got alone: the batch is {@link BatchMode#INDEPENDENT}, a replayed id returns the original, a
 * rejection is the caller's own, and a failure of the store carries the caller's transfer id. A request that lost a
 * race is queued again (the first retry at once, later ones after the {@link RetryPolicy}'s backoff). Two batches in
 * flight never debit one source (in PostgreSQL the second would wait for the first's lock on the source row until its
 * commit): a request whose source is in a batch being written waits for that batch, and goes into the next one with the
 * other queued debits of its source, where they apply in order. {@link Ledger#transferAsync(TransferRequest)} queues
 * without waiting.
 *
 * <p>In PostgreSQL a batch is one round trip and one commit for all of its requests, so under concurrency a coalescing
 * ledger spends one commit per batch instead of one per transfer. {@link #off()} gives one store call per
 * {@code transfer} call.
 *
 * <p>Immutable and thread-safe.
 */
public final class Coalescing {
    private static final Coalescing OFF = new Coalescing(false, 1, 1);

    /** The largest {@link #maxBatchSize()}. */
    public static final int MAX_BATCH_SIZE = Ledger.MAX_BATCH_SIZE;
    /** The largest {@link #maxConcurrentBatches()}. */
    public static final int MAX_CONCURRENT_BATCHES = 1024;

    private final boolean enabled;
    private final int maxBatchSize;
    private final int maxConcurrentBatches;

    private Coalescing(boolean enabled, int maxBatchSize, int maxConcurrentBatches) {
        this.enabled = enabled;
        this.maxBatchSize = maxBatchSize;
        this.maxConcurrentBatches = maxConcurrentBatches;
    }

    /** No coalescing: each {@code transfer} call makes its own store calls. */
    public static Coalescing off() {
        return OFF;
    }

    /**
     * Natural batching with the defaults: batches of at most 512 requests, at most 2 written at once. (On 2 cores at 16
     * threads with PostgreSQL, one writer did 3,463 to 3,625 transfers/s, two 3,544 to 3,798, three 2,715, four 2,158:
     * smaller batches pay a call's fixed cost more often. Two are kept so that one batch waiting on a lock held outside
     * the ledger does not stop every other caller.)
     */
    public static Coalescing natural() {
        return natural(512, 2);
    }

    /**
     * Natural batching.
     *
     * @param maxBatchSize the most requests in one batch, 1 to {@link #MAX_BATCH_SIZE}
     * @param maxConcurrentBatches the most batches written at once (each on its own connection), 1 to
     *     {@link #MAX_CONCURRENT_BATCHES}
     * @throws IllegalArgumentException naming the value and the range
     */
    public static Coalescing natural(int maxBatchSize, int maxConcurrentBatches) {
        Checks.requireArgument(
                maxBatchSize >= 1 && maxBatchSize <= MAX_BATCH_SIZE,
                "maxBatchSize " + maxBatchSize + " must be between 1 and " + MAX_BATCH_SIZE);
        Checks.requireArgument(
                maxConcurrentBatches >= 1 && maxConcurrentBatches <= MAX_CONCURRENT_BATCHES,
                "maxConcurrentBatches " + maxConcurrentBatches + " must be between 1 and " + MAX_CONCURRENT_BATCHES);
        return new Coalescing(true, maxBatchSize, maxConcurrentBatches);
    }

    public boolean enabled() {
        return enabled;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public int maxConcurrentBatches() {
        return maxConcurrentBatches;
    }

    @Override
    public String toString() {
        return enabled
                ? "Coalescing[natural, maxBatchSize=" + maxBatchSize + ", maxConcurrentBatches=" + maxConcurrentBatches
                        + "]"
                : "Coalescing[off]";
    }
}

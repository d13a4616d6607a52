package dev.ledger.core;

import org.jspecify.annotations.Nullable;

/**
 * Observes what a {@link Ledger} does, for metrics and tracing: every call with its latency and outcome, each transfer
 * recorded or replayed, each rejection and failure, and each lost race and retry. Set one with
 * {@link Ledger.Builder#listener(LedgerListener)}; {@code ledger-micrometer} binds it to Micrometer.
 *
 * <p>Every method has a no-op default, so an implementation overrides only what it needs, and methods added in later
 * versions (for example a batch size, once a batch API exists) will not break it. The default listener is
 * {@link #none()}; with it the ledger does no extra work at all: it neither reads {@code System.nanoTime()} nor
 * allocates for observation.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Methods are called synchronously on the thread of the ledger call, from many threads at once: an implementation
 *       must be thread-safe and fast (counting, not I/O).
 *   <li>A listener never breaks a call: any {@link RuntimeException} or {@link Error} it throws (except a
 *       {@link VirtualMachineError} such as {@link OutOfMemoryError}) is caught and ignored, and the call goes on and
 *       ends as it would have without the listener.
 *   <li>For one call, the events come in this order: {@link #callStarted}; for each attempt that lost its index slot,
 *       {@link #conflict} and, when another attempt follows, {@link #retry}; then at most one of
 *       {@link #transferRecorded}, {@link #transferReplayed}, {@link #rejected} or {@link #unavailable}; and last
 *       {@link #callEnded}, which follows every {@link #callStarted}, on the same thread (unless an {@link Error}
 *       escapes the call).
 *   <li>Latencies are in nanoseconds, measured with {@link System#nanoTime()} from just after {@link #callStarted} to
 *       the event: the whole call, backoff sleeps included.
 *   <li>Calls that delegate (for example {@link Ledger#verify()} to {@link Ledger#verify(java.util.Collection)}, or the
 *       shorthand {@link Ledger#transfer(AccountId, AccountId, long, String)}) are reported once. A rejection thrown by
 *       a value constructor ({@code TransferRequest.of}, {@code AccountId.of}, ...) happens before any ledger call and
 *       is not reported.
 * </ul>
 */
public interface LedgerListener {

    /** The {@link Ledger} calls that are observed. */
    enum Operation {
        /** {@link Ledger#open(NewAccount)}. */
        OPEN("open"),
        /** {@link Ledger#transfer(TransferRequest)} and its shorthand. */
        TRANSFER("transfer"),
        /** {@link Ledger#transferBatch(java.util.List, BatchMode)}. */
        TRANSFER_BATCH("transferBatch"),
        /** {@link Ledger#account(AccountId)}. */
        ACCOUNT("account"),
        /** {@link Ledger#findTransfer(java.util.UUID)}. */
        FIND_TRANSFER("findTransfer"),
        /** {@link Ledger#balance(AccountId)}. */
        BALANCE("balance"),
        /** {@link Ledger#balanceAsOf(AccountId, java.time.Instant)}. */
        BALANCE_AS_OF("balanceAsOf"),
        /** {@link Ledger#balances(AccountId)}. */
        BALANCES("balances"),
        /** {@link Ledger#balancesAsOf(AccountId, java.time.Instant)}. */
        BALANCES_AS_OF("balancesAsOf"),
        /** {@link Ledger#statement(StatementQuery)}. */
        STATEMENT("statement"),
        /** {@link Ledger#verify()} and {@link Ledger#verify(java.util.Collection)}. */
        VERIFY("verify"),
        /** {@link Ledger#chainHeads()}. */
        CHAIN_HEADS("chainHeads");

        private final String methodName;

        Operation(String methodName) {
            this.methodName = methodName;
        }

        /** The name of the {@link Ledger} method, e.g. {@code balanceAsOf}: a stable, low-cardinality tag value. */
        public String methodName() {
            return methodName;
        }
    }

    /** The listener that does nothing: the default. The ledger recognises it and skips observation entirely. */
    static LedgerListener none() {
        return NoListener.INSTANCE;
    }

    /**
     * A ledger call begins. The value returned (for example a tracing span) is handed back to {@link #callEnded};
     * return null when there is nothing to hand back (the default).
     */
    default @Nullable Object callStarted(Operation operation) {
        return null;
    }

    /**
     * A ledger call ended, after every other event of the call.
     *
     * @param context what {@link #callStarted} returned; null if it returned null or threw
     * @param nanos the call's latency
     * @param failure null when the call returned; else what it throws to its caller (a {@link LedgerRejectedException}
     *     or a {@link LedgerUnavailableException})
     */
    default void callEnded(
            Operation operation, @Nullable Object context, long nanos, @Nullable RuntimeException failure) {}

    /**
     * A {@link Ledger#transfer} call recorded a new transfer.
     *
     * @param attempts the attempts it took, 1 when no race was lost
     * @param nanos the call's latency so far
     */
    default void transferRecorded(int attempts, long nanos) {}

    /**
     * A {@link Ledger#transfer} call found its id already recorded with the same content and returned the transfer
     * recorded the first time (an idempotent replay); nothing new was recorded.
     *
     * @param attempts the attempts it took
     * @param nanos the call's latency so far
     */
    default void transferReplayed(int attempts, long nanos) {}

    /**
     * A {@link Ledger#transferBatch} call ended with a result for every item (for a linked batch: all recorded or
     * replayed). A rejected linked batch is reported by {@link #rejected} instead.
     *
     * @param items the batch's size
     * @param recorded items recorded by this call
     * @param replayed items whose id was already recorded with the same content
     * @param rejected items rejected (independent batches only)
     * @param attempts the attempts it took, 1 when no race was lost
     */
    default void batchEnded(int items, int recorded, int replayed, int rejected, int attempts) {}

    /** A call is about to throw {@link LedgerRejectedException} with this reason; nothing was recorded. */
    default void rejected(Operation operation, RejectionReason reason) {}

    /** A call is about to throw {@link LedgerUnavailableException} of this kind. */
    default void unavailable(Operation operation, LedgerUnavailableException.Kind kind) {}

    /**
     * An attempt of an {@link Operation#TRANSFER} or {@link Operation#OPEN} (its funding transfer) lost its index slot
     * to a concurrent debit of the same source; nothing was written by it.
     *
     * @param attempt the attempt that lost, from 1
     * @param detail the store's description of the conflict (for the PostgreSQL store it names the SQLSTATE)
     */
    default void conflict(Operation operation, int attempt, String detail) {}

    /**
     * The ledger backed off after a conflict and now makes another attempt (so each retry follows a {@link #conflict};
     * the last conflict of a call that gives up with {@code RETRIES_EXHAUSTED} has none).
     *
     * @param retry the retry's number, from 1 (attempt {@code retry + 1} follows)
     * @param backoffNanos how long the ledger slept before it, drawn from the {@link RetryPolicy}
     */
    default void retry(Operation operation, int retry, long backoffNanos) {}
}

package dev.ledger.postgres;

import java.time.Duration;

/**
 * Observes the balance summariser of a {@link PostgresLedgerStore} (see {@link PostgresLedgerStore#summarize()}): the
 * outcome and duration of each round, and how far the summaries trail the database clock. Set one with
 * {@link PostgresLedgerStore.Builder#summarizerListener(SummarizerListener)}; {@code ledger-micrometer} binds it to
 * Micrometer.
 *
 * <p>Every method has a no-op default. Methods are called on the thread that ran the round (the store's summariser
 * thread, or the caller of {@code summarize()}); an implementation must be thread-safe and fast. Any
 * {@link RuntimeException} it throws is caught and ignored: a listener never affects a round.
 */
public interface SummarizerListener {

    /** How a summariser round ended. */
    enum Outcome {
        /** A seal was summarised: its credit checkpoints are written. */
        SUMMARIZED,
        /** Nothing to do: no transfer was recorded since the newest seal (older than the seal lag). */
        IDLE,
        /** Another round (in this or another process) held the summariser's lock; this one did nothing. */
        BUSY,
        /**
         * Transactions older than the seal were still running after the summary wait limit; the seal stays and the next
         * round resumes. Frequent timeouts mean long transactions on the database.
         */
        WAIT_TIMED_OUT,
        /** The round failed (for example the database was unreachable); the next round retries. */
        FAILED
    }

    /** The listener that does nothing: the default. The store then skips the lag query of each round. */
    static SummarizerListener none() {
        return NoSummarizerListener.INSTANCE;
    }

    /**
     * A round ended.
     *
     * @param schema the store's schema, to tell several stores apart
     * @param checkpoints the credit checkpoints written (0 unless {@code SUMMARIZED})
     * @param nanos the round's duration
     */
    default void roundEnded(String schema, Outcome outcome, int checkpoints, long nanos) {}

    /**
     * After each round that did not fail, once at least one seal is summarised: the database's clock minus
     * {@link PostgresLedgerStore#summarizedThrough()}. While transfers are recorded it stays near the seal lag plus the
     * summarise interval; it also grows while no transfer is recorded (no seal is written then), which is harmless.
     */
    default void lag(String schema, Duration lag) {}
}

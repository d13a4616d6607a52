package dev.ledger.postgres;

import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.postgres.SummarizerListener.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Writes credit checkpoints so that balance reads and funds checks cost the same at any history length (see
 * {@code V1__ledger_schema.sql}), by calling the schema's {@code summarizer_step} (R__5_summarizer.sql), the only
 * writer of seals and checkpoints, which computes them itself; this class only drives it. One round:
 *
 * <ol>
 *   <li>if no seal is waiting, seal the ledger through {@code now - sealLag} (when that is after the newest seal); from
 *       then on no transfer may be recorded at or before it;
 *   <li>after the seal has committed, take a fresh transaction id {@code h} (larger than every id assigned before) and
 *       wait until every transaction with an id below {@code h} has ended. The guard takes its transaction id before it
 *       reads the seal, so a writer that may have read the seals before this one committed holds an id below {@code h},
 *       and one with a larger id read the seal after it committed. Gives up after {@code waitLimit} (the seal stays;
 *       the next round resumes);
 *   <li>in one transaction: for each account credited since the previous summarised seal, insert its cumulative credits
 *       through the last microsecond of every {@value #CHECKPOINT_EVERY} credits within the interval, and through the
 *       seal once {@link #CHECKPOINT_AFTER} credit rows follow its newest checkpoint; and mark the seal summarised.
 * </ol>
 *
 * Writers are never blocked: they only read the newest seal. Rounds from several JVMs exclude each other with a
 * transaction-scoped advisory lock and are idempotent; a round killed at any point leaves a state the next round
 * completes. Thread-safe.
 */
final class BalanceSummarizer {
    /**
     * Within one seal interval, an account also gets a checkpoint after every this many credits (at the end of a
     * microsecond), so that a balance as of an instant inside a busy interval never sums more credits than this.
     */
    static final int CHECKPOINT_EVERY = 128;

    /**
     * An account gets a checkpoint at a seal only once at least this many credit rows follow its newest checkpoint
     * (fewer wait for a later seal). A read then sums at most this many more rows (31 index entries of one account,
     * adjacent in the credit key), and at uniform load the summariser writes one row per account every this many
     * credits instead of one per account credited in each round (about one checkpoint row per transfer with 10,000
     * accounts, more with more accounts; each a statement of its own on Citus).
     */
    static final int CHECKPOINT_AFTER = 32;

    /**
     * The largest count {@code summarizer_step} accepts for either of the two above (R__5_summarizer.sql refuses more
     * with 22023), which bounds the credit rows a balance read sums.
     */
    static final int MAX_CHECKPOINT_COUNT = 128;

    /**
     * The class of the summariser's advisory lock, 0x4C454453 = 1279607891 ("LEDS"), reserved for it. The lock is taken
     * in the two-integer form {@code (SUMMARIZER_LOCK_CLASS, hashtext(schema))}, which never collides with a one-bigint
     * key (such as the transfer id locks or an application's own): PostgreSQL keeps the two forms apart
     * ({@code objsubid} 2 instead of 1 in {@code pg_locks}).
     */
    static final int SUMMARIZER_LOCK_CLASS = 0x4C454453;

    private final DataSource dataSource;
    private final Duration sealLag;
    private final Duration waitLimit;
    private final int checkpointAfter;
    private final String schema;
    private final SummarizerListener listener;
    private final NamedSql stepSql;
    private final NamedSql lagSql;
    private final NamedSql throughSql;

    /**
     * Test hook: runs after a round has inserted its seal and before that seal commits (a no-op by default).
     * Package-private, for tests only.
     */
    volatile Runnable afterSealInsert = () -> {};

    BalanceSummarizer(
            DataSource dataSource, String schema, Duration sealLag, Duration waitLimit, SummarizerListener listener) {
        this(dataSource, schema, sealLag, waitLimit, CHECKPOINT_AFTER, listener);
    }

    BalanceSummarizer(
            DataSource dataSource,
            String schema,
            Duration sealLag,
            Duration waitLimit,
            int checkpointAfter,
            SummarizerListener listener) {
        this.checkpointAfter = checkpointAfter;
        this.dataSource = dataSource;
        this.schema = schema;
        this.listener = listener;
        this.sealLag = sealLag;
        this.waitLimit = waitLimit;
        this.stepSql = NamedSql.load("summarizer_step", schema);
        this.lagSql = NamedSql.load("summary_lag", schema);
        this.throughSql = NamedSql.load("summarized_through", schema);
    }

    /** What one round did. */
    private record Round(Outcome outcome, int checkpoints) {
        static final Round IDLE = new Round(Outcome.IDLE, 0);
        static final Round BUSY = new Round(Outcome.BUSY, 0);
        static final Round WAIT_TIMED_OUT = new Round(Outcome.WAIT_TIMED_OUT, 0);
    }

    /**
     * Runs one round and reports it to the listener.
     *
     * @return the number of checkpoint rows written (0 when there was nothing to do, another process held the lock, or
     *     the wait for older transactions timed out)
     */
    int runOnce() {
        if (listener == SummarizerListener.none()) {
            return round().checkpoints();
        }
        long start = System.nanoTime();
        Round round;
        try {
            round = round();
        } catch (RuntimeException e) {
            report(Outcome.FAILED, 0, System.nanoTime() - start);
            throw e;
        }
        report(round.outcome(), round.checkpoints(), System.nanoTime() - start);
        try {
            lag().ifPresent(lag -> {
                try {
                    listener.lag(schema, lag);
                } catch (RuntimeException ignored) {
                    // a listener never affects a round
                }
            });
        } catch (LedgerUnavailableException e) {
            // no lag this round; the next one tries again
        }
        return round.checkpoints();
    }

    private void report(Outcome outcome, int checkpoints, long nanos) {
        try {
            listener.roundEnded(schema, outcome, checkpoints, nanos);
        } catch (RuntimeException ignored) {
            // a listener never affects a round
        }
    }

    private Round round() {
        try (Connection c = dataSource.getConnection()) {
            // Restored before the connection goes back: a pool that does not reset connections on return would
            // otherwise hand one without auto-commit to the next user, whose writes would never be committed.
            boolean autoCommit = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try {
                long deadline = System.nanoTime() + waitLimit.toNanos();
                long sleepMillis = 1;
                while (true) {
                    Step step = step(c);
                    switch (step.outcome()) {
                        case "BUSY":
                            c.rollback();
                            return Round.BUSY;
                        case "IDLE":
                            c.rollback();
                            return Round.IDLE;
                        case "SEALED":
                            afterSealInsert.run();
                            c.commit();
                            break;
                        case "HORIZON":
                            c.commit();
                            break;
                        case "WAITING":
                            c.rollback();
                            if (System.nanoTime() > deadline) {
                                return Round.WAIT_TIMED_OUT;
                            }
                            Thread.sleep(sleepMillis);
                            sleepMillis = Math.min(sleepMillis * 2, 50);
                            break;
                        case "SUMMARIZED":
                            c.commit();
                            return new Round(Outcome.SUMMARIZED, (int) step.checkpoints());
                        default:
                            throw new IllegalStateException("unexpected summarizer_step outcome " + step.outcome());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback); // the connection is gone; the pool discards it
                }
                throw e;
            } finally {
                restore(c, autoCommit, isolation);
            }
        } catch (SQLException e) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "summarising balances failed: " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.INTERRUPTED, "interrupted while summarising balances", e);
        }
    }

    private record Step(String outcome, long checkpoints) {}

    /** One call of summarizer_step (R__5_summarizer.sql), first in the connection's transaction. */
    private Step step(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(stepSql.sql())) {
            stepSql.bind(
                    ps,
                    Map.of(
                            "seal_lag_micros",
                            TimeUnit.NANOSECONDS.toMicros(sealLag.toNanos()),
                            "checkpoint_every",
                            CHECKPOINT_EVERY,
                            "checkpoint_after",
                            checkpointAfter));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Step(rs.getString("outcome"), rs.getLong("checkpoints"));
            }
        }
    }

    /** Puts back the connection's own settings; every path of a round has ended its transaction by then. */
    private static void restore(Connection c, boolean autoCommit, int isolation) {
        try {
            c.setTransactionIsolation(isolation);
        } catch (SQLException e) {
            // Only a broken connection fails here (the round's own error, if any, is being thrown); the pool
            // discards it.
        }
        try {
            c.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            // As above.
        }
    }

    /** The database's clock minus {@link #summarizedThrough()}, if any seal is summarised yet. */
    Optional<Duration> lag() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(lagSql.sql());
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            long micros = rs.getLong(1);
            return rs.wasNull()
                    ? Optional.empty()
                    : Optional.of(Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(micros)));
        } catch (SQLException e) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "reading the summary state failed: " + e.getMessage(),
                    e);
        }
    }

    /** The time through which balances are summarised, if any seal is summarised yet. */
    Optional<Instant> summarizedThrough() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(throughSql.sql());
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            OffsetDateTime through = rs.getObject(1, OffsetDateTime.class);
            return Optional.ofNullable(through).map(OffsetDateTime::toInstant);
        } catch (SQLException e) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "reading the summary state failed: " + e.getMessage(),
                    e);
        }
    }
}

package dev.ledger.postgres;

import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.postgres.SummarizerListener.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Writes credit checkpoints so that balance reads and funds checks cost the same at any history length (see
 * {@code V1__ledger_schema.sql}). One round:
 * <ol>
 *   <li>if no seal is waiting, seal the ledger through {@code now - sealLag} (when that is after the newest
 *       seal); from then on no transfer may be recorded at or before it;
 *   <li>after the seal has committed, take a fresh transaction id {@code h} (larger than every id assigned
 *       before) and wait until every transaction with an id below {@code h} has ended. The guard takes its
 *       transaction id before it reads the seal, so a writer that may have read the seals before this one
 *       committed holds an id below {@code h}, and one with a larger id read the seal after it committed.
 *       Gives up after {@code waitLimit} (the seal stays; the next round resumes);
 *   <li>in one transaction: for each account credited since the previous summarised seal, insert its cumulative
 *       credits through the seal (and through the last microsecond of every {@value #CHECKPOINT_EVERY} credits
 *       within the interval), and mark the seal summarised.
 * </ol>
 * Writers are never blocked: they only read the newest seal. Rounds from several JVMs exclude each other with
 * a transaction-scoped advisory lock and are idempotent; a round killed at any point leaves a state the next
 * round completes. Thread-safe.
 */
final class BalanceSummarizer {
  /**
   * Within one seal interval, an account also gets a checkpoint after every this many credits (at the end of a
   * microsecond), so that a balance as of an instant inside a busy interval never sums more credits than this.
   */
  static final int CHECKPOINT_EVERY = 128;

  /**
   * The class of the summariser's advisory lock, 0x4C454453 = 1279607891 ("LEDS"), reserved for it. The lock
   * is taken in the two-integer form {@code (SUMMARIZER_LOCK_CLASS, schema.hashCode())}, which never collides
   * with a one-bigint key (such as the transfer id locks or an application's own): PostgreSQL keeps the two
   * forms apart ({@code objsubid} 2 instead of 1 in {@code pg_locks}).
   */
  static final int SUMMARIZER_LOCK_CLASS = 0x4C454453;

  private final DataSource dataSource;
  private final String s;
  private final Duration sealLag;
  private final Duration waitLimit;
  private final String schema;
  private final SummarizerListener listener;
  private final int lockObject;

  /**
   * Test hook: runs after a round has inserted its seal and before that seal commits (a no-op by default).
   * Package-private, for tests only.
   */
  volatile Runnable afterSealInsert = () -> { };

  BalanceSummarizer(DataSource dataSource, String schema, Duration sealLag, Duration waitLimit,
      SummarizerListener listener) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.listener = listener;
    this.s = schema + ".";
    this.sealLag = sealLag;
    this.waitLimit = waitLimit;
    this.lockObject = schema.hashCode();
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
   * @return the number of checkpoint rows written (0 when there was nothing to do, another process held the
   *     lock, or the wait for older transactions timed out)
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
        Long pending = pendingSeal(c);
        if (pending == null) {
          if (!tryLock(c)) {
            c.rollback();
            return Round.BUSY;
          }
          if (!seal(c)) {
            c.rollback();
            return Round.IDLE;
          }
          afterSealInsert.run();
          c.commit();
        } else {
          c.rollback();
        }
        if (!awaitOlderTransactions(c)) {
          return Round.WAIT_TIMED_OUT;
        }
        if (!tryLock(c)) {
          c.rollback();
          return Round.BUSY;
        }
        int written = summarize(c);
        c.commit();
        return written < 0 ? Round.IDLE : new Round(Outcome.SUMMARIZED, written);
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
      throw new LedgerUnavailableException(LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
          "summarising balances failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerUnavailableException(LedgerUnavailableException.Kind.INTERRUPTED,
          "interrupted while summarising balances", e);
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

  private boolean tryLock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?, ?)")) {
      ps.setInt(1, SUMMARIZER_LOCK_CLASS);
      ps.setInt(2, lockObject);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private @Nullable Long pendingSeal(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT min(s.seq) FROM " + s + "seal s"
        + " WHERE NOT EXISTS (SELECT 1 FROM " + s + "seal_summarized d WHERE d.seq = s.seq)")) {
      rs.next();
      long seq = rs.getLong(1);
      return rs.wasNull() ? null : seq;
    }
  }

  /** Inserts a seal through {@code now - sealLag} if that is after the newest one; returns whether it did. */
  private boolean seal(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + "seal (sealed_through)"
        + " SELECT t FROM (SELECT date_trunc('milliseconds', statement_timestamp()) - ? * interval '1 microsecond' AS t) x"
        + " WHERE t > coalesce((SELECT max(sealed_through) FROM " + s + "seal), '-infinity')"
        + " AND EXISTS (SELECT 1 FROM " + s + "transfer WHERE recorded_at <= x.t"
        + " AND recorded_at > coalesce((SELECT max(sealed_through) FROM " + s + "seal), '-infinity'))")) {
      ps.setLong(1, TimeUnit.NANOSECONDS.toMicros(sealLag.toNanos()));
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * Waits until no transaction that may have read the seals before the newest seal committed is still running;
   * the caller has committed that seal. A fresh transaction takes a new id {@code h} and commits: ids are
   * assigned in increasing order, so every transaction that got its id before now holds one below {@code h},
   * and the wait is for {@code pg_snapshot_xmin >= h}, i.e. all of those have ended. A writer that gets its id
   * later reads the seal after that (the guard takes its id before reading the seal), so it sees this seal.
   * ({@code pg_snapshot_xmax} after the commit would not do: it is one past the newest <em>completed</em> id,
   * which can be below the id of a writer still running.)
   */
  private boolean awaitOlderTransactions(Connection c) throws SQLException, InterruptedException {
    c.commit();
    long horizon;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_current_xact_id()::text::numeric")) {
      rs.next();
      horizon = rs.getLong(1);
    }
    c.commit();
    long deadline = System.nanoTime() + waitLimit.toNanos();
    long sleepMillis = 1;
    while (true) {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::numeric >= ?")) {
        ps.setLong(1, horizon);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            c.commit();
            return true;
          }
        }
      }
      c.commit();
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(sleepMillis);
      sleepMillis = Math.min(sleepMillis * 2, 50);
    }
  }

  /**
   * Writes the checkpoints of the oldest unsummarised seal and marks it; within the caller's transaction.
   *
   * @return the checkpoints written, or -1 when no seal was waiting
   */
  private int summarize(Connection c) throws SQLException {
    Long seq = pendingSeal(c);
    if (seq == null) {
      return -1; // another round summarised it meanwhile
    }
    String sql = """
        WITH target AS (SELECT seq, sealed_through FROM %1$sseal WHERE seq = ?),
        previous AS (SELECT coalesce(max(s.sealed_through), '-infinity') AS through
                       FROM %1$sseal s JOIN %1$sseal_summarized d ON d.seq = s.seq),
        credited AS (
            SELECT t.destination AS account, t.recorded_at, sum(t.amount) AS amount, count(*) AS n
              FROM %1$stransfer t, target, previous
             WHERE t.recorded_at > previous.through AND t.recorded_at <= target.sealed_through
               -- the same range on the expression of the BRIN index, which only this query uses
               AND (previous.through = '-infinity' OR t.recorded_at - '1970-01-01 00:00:00+00'::timestamptz
                   > previous.through - '1970-01-01 00:00:00+00'::timestamptz)
               AND t.recorded_at - '1970-01-01 00:00:00+00'::timestamptz
                   <= target.sealed_through - '1970-01-01 00:00:00+00'::timestamptz
             GROUP BY t.destination, t.recorded_at),
        running AS (
            SELECT account, recorded_at, n AS group_n,
                   sum(amount) OVER w AS amount,
                   sum(n) OVER w AS n,
                   row_number() OVER (PARTITION BY account ORDER BY recorded_at DESC) AS from_end
              FROM credited
            WINDOW w AS (PARTITION BY account ORDER BY recorded_at ROWS UNBOUNDED PRECEDING)),
        points AS (
            SELECT r.account,
                   CASE WHEN r.from_end = 1 THEN target.sealed_through ELSE r.recorded_at END AS through,
                   r.amount
              FROM running r, target
             WHERE r.from_end = 1 OR floor(r.n / ?) > floor((r.n - r.group_n) / ?)),
        base AS (
            -- Each credited account's cumulative credits through the previous seal: its newest checkpoint plus
            -- any credits after it (none, unless a round skipped the account: see below).
            SELECT a.account,
                   coalesce(cp.credits, 0)
                   + coalesce((SELECT sum(x.amount) FROM %1$stransfer x, previous
                                WHERE x.destination = a.account AND x.recorded_at <= previous.through
                                  AND x.recorded_at > coalesce(cp.through, '-infinity')), 0) AS credits
              FROM (SELECT DISTINCT account FROM points) a
              LEFT JOIN LATERAL (SELECT c.credits, c.through FROM %1$scredit_checkpoint c
                                  WHERE c.account = a.account ORDER BY c.through DESC LIMIT 1) cp ON true),
        written AS (
            INSERT INTO %1$scredit_checkpoint (account, through, credits)
            SELECT p.account, p.through, b.credits + p.amount
              FROM points p JOIN base b ON b.account = p.account
             -- Credits beyond bigint (only by tampering: the guard refuses them) leave that account without
             -- checkpoints, and its reads fail; every other account is still summarised, and verify() names it.
             WHERE b.credits + p.amount <= 9223372036854775807
            ON CONFLICT DO NOTHING
            RETURNING 1),
        marked AS (INSERT INTO %1$sseal_summarized (seq) SELECT seq FROM target RETURNING 1)
        SELECT (SELECT count(*) FROM written) + 0 * (SELECT count(*) FROM marked)
        """.formatted(s);
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, seq);
      ps.setInt(2, CHECKPOINT_EVERY);
      ps.setInt(3, CHECKPOINT_EVERY);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** The database's clock minus {@link #summarizedThrough()}, if any seal is summarised yet. */
  Optional<Duration> lag() {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (extract(epoch FROM statement_timestamp() - max(s.sealed_through))"
            + " * 1000000)::bigint FROM " + s + "seal s JOIN " + s + "seal_summarized d ON d.seq = s.seq")) {
      rs.next();
      long micros = rs.getLong(1);
      return rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(micros)));
    } catch (SQLException e) {
      throw new LedgerUnavailableException(LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
          "reading the summary state failed: " + e.getMessage(), e);
    }
  }

  /** The time through which balances are summarised, if any seal is summarised yet. */
  Optional<Instant> summarizedThrough() {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT max(s.sealed_through) FROM " + s + "seal s JOIN " + s
            + "seal_summarized d ON d.seq = s.seq")) {
      rs.next();
      OffsetDateTime through = rs.getObject(1, OffsetDateTime.class);
      return Optional.ofNullable(through).map(OffsetDateTime::toInstant);
    } catch (SQLException e) {
      throw new LedgerUnavailableException(LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
          "reading the summary state failed: " + e.getMessage(), e);
    }
  }
}

package dev.ledger.jmh;

import dev.ledger.core.RetryPolicy;
import dev.ledger.core.internal.TransferIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The baselines the ledger is measured against, in schema {@value #SCHEMA} of the same database, through the same pool:
 *
 * <ul>
 *   <li><b>raw insert</b> (the ceiling): one single-row INSERT of a transfer-shaped row per transaction, into a table
 *       with the ledger's columns, primary key and unique id, but no trigger and no secondary index;
 *   <li><b>locking</b> (what people would otherwise build, as pgledger does): an account table with a balance column;
 *       one transaction locks both accounts with {@code SELECT ... FOR UPDATE} in id order, checks the funds, runs two
 *       UPDATEs and one INSERT. It runs as one PL/pgSQL function call, so it gets the same single round trip per
 *       attempt as the ledger;
 *   <li><b>seed</b> (the seed's protocol, verbatim): the source's balance as the SUM over all its transfers and its
 *       next index as the COUNT of its debits, read in one statement, then one INSERT at that index; a unique violation
 *       on (source, index) means a concurrent debit won, and the whole transaction is retried.
 * </ul>
 *
 * Retries of the locking and seed baselines (deadlock, serialization failure, unique violation) use the ledger's
 * default {@link RetryPolicy}, so every contender backs off the same way.
 */
public final class Baselines {
    public static final String SCHEMA = "baseline";
    private static final RetryPolicy RETRY = RetryPolicy.defaults();

    private static final String RAW_INSERT = "INSERT INTO " + SCHEMA + ".raw_transfer"
            + " (source, source_index, id, destination, amount, currency, recorded_at, reference, source_debits)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)";
    private static final String LOCKING_TRANSFER = "SELECT " + SCHEMA + ".locking_transfer(?, ?, ?, ?, ?, ?)";
    private static final String SEED_READ =
            "SELECT coalesce(sum(CASE WHEN destination = ? THEN amount ELSE -amount END), 0),"
                    + " count(*) FILTER (WHERE source = ?) FROM " + SCHEMA
                    + ".seed_transfer WHERE source = ? OR destination = ?";
    private static final String SEED_INSERT = "INSERT INTO " + SCHEMA + ".seed_transfer"
            + " (source, source_index, id, destination, amount, currency, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

    private final DataSource pool;
    private final Counters counters;
    private final TransferIds ids = new TransferIds(InstantSource.system());
    private final AtomicLong rawIndex = new AtomicLong();

    private Baselines(DataSource pool, Counters counters) {
        this.pool = pool;
        this.counters = counters;
    }

    /**
     * Creates the baselines' tables next to the ledger schema and gives them the same accounts and funding as the
     * ledger's {@code accounts} (copied from the ledger's tables, so every design starts from the same state).
     */
    public static Baselines create(BenchDatabase db) throws SQLException {
        String s = SCHEMA + ".";
        String l = BenchDatabase.LEDGER_SCHEMA + ".";
        db.sql(
                "CREATE SCHEMA " + SCHEMA,
                // The ceiling: the ledger's columns, primary key and unique id; no trigger, no other index.
                "CREATE TABLE " + s
                        + "raw_transfer (source text NOT NULL, source_index bigint NOT NULL, id uuid NOT NULL,"
                        + " destination text NOT NULL, amount bigint NOT NULL, currency text NOT NULL,"
                        + " recorded_at timestamptz NOT NULL, reference text, source_debits bigint NOT NULL,"
                        + " created_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),"
                        + " PRIMARY KEY (source, source_index), UNIQUE (id))",
                // Locking: balances kept in the account row.
                "CREATE TABLE " + s + "locking_account (id text PRIMARY KEY, currency text NOT NULL,"
                        + " issuer boolean NOT NULL, balance bigint NOT NULL)",
                "CREATE TABLE " + s
                        + "locking_transfer (id uuid PRIMARY KEY, source text NOT NULL, destination text NOT NULL,"
                        + " amount bigint NOT NULL CHECK (amount > 0), currency text NOT NULL, recorded_at timestamptz NOT NULL,"
                        + " reference text)",
                "CREATE INDEX ON " + s + "locking_transfer (source, recorded_at)",
                "CREATE INDEX ON " + s + "locking_transfer (destination, recorded_at)",
                """
        CREATE FUNCTION %1$slocking_transfer(p_id uuid, p_source text, p_destination text, p_amount bigint,
                                               p_currency text, p_at timestamptz) RETURNS bigint
            LANGUAGE plpgsql AS $$
        DECLARE
            src %1$slocking_account;
        BEGIN
            -- Lock both rows in id order, so that two transfers between the same accounts cannot deadlock.
            PERFORM 1 FROM %1$slocking_account WHERE id IN (p_source, p_destination) ORDER BY id FOR UPDATE;
            SELECT * INTO src FROM %1$slocking_account WHERE id = p_source;
            IF NOT src.issuer AND src.balance < p_amount THEN
                RAISE EXCEPTION 'insufficient funds in %%', p_source USING ERRCODE = '23514';
            END IF;
            UPDATE %1$slocking_account SET balance = balance - p_amount WHERE id = p_source;
            UPDATE %1$slocking_account SET balance = balance + p_amount WHERE id = p_destination;
            INSERT INTO %1$slocking_transfer (id, source, destination, amount, currency, recorded_at)
                 VALUES (p_id, p_source, p_destination, p_amount, p_currency, p_at);
            RETURN src.balance - p_amount;
        END
        $$""".formatted(s),
                // The seed: transfers only; balance = SUM over history, next index = COUNT of debits.
                "CREATE TABLE " + s
                        + "seed_transfer (source text NOT NULL, source_index bigint NOT NULL, id uuid NOT NULL,"
                        + " destination text NOT NULL, amount bigint NOT NULL CHECK (amount > 0), currency text NOT NULL,"
                        + " recorded_at timestamptz NOT NULL, CHECK (source <> destination),"
                        + " PRIMARY KEY (source, source_index), UNIQUE (id))",
                "CREATE INDEX ON " + s + "seed_transfer (destination)",
                // Same accounts and funding as the ledger.
                "INSERT INTO " + s + "locking_account (id, currency, issuer, balance)"
                        + " SELECT a.id, a.currency, a.issuer, coalesce(cr.total, 0) - coalesce(db.total, 0)"
                        + " FROM " + l + "account a"
                        + " LEFT JOIN (SELECT destination, sum(amount) AS total FROM " + l
                        + "transfer GROUP BY destination) cr"
                        + "   ON cr.destination = a.id"
                        + " LEFT JOIN (SELECT source, sum(amount) AS total FROM " + l + "transfer GROUP BY source) db"
                        + "   ON db.source = a.id",
                "INSERT INTO " + s
                        + "seed_transfer (source, source_index, id, destination, amount, currency, recorded_at)"
                        + " SELECT source, source_index, id, destination, amount, currency, recorded_at FROM " + l
                        + "transfer",
                "ANALYZE " + s + "locking_account, " + s + "seed_transfer");
        return new Baselines(db.pool(), db.counters());
    }

    /** The ceiling: one INSERT, autocommit. */
    public int rawInsert(String source, String destination, long amount) throws SQLException {
        counters.attempts.increment();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(RAW_INSERT)) {
            long index = rawIndex.getAndIncrement();
            ps.setString(1, source);
            ps.setLong(2, index);
            ps.setObject(3, ids.get());
            ps.setString(4, destination);
            ps.setLong(5, amount);
            ps.setString(6, BenchData.CURRENCY);
            ps.setObject(7, now());
            ps.setLong(8, amount * (index + 1));
            int n = ps.executeUpdate();
            counters.ops.increment();
            return n;
        }
    }

    private static final String RAW_INSERT_BATCH = "INSERT INTO " + SCHEMA + ".raw_transfer"
            + " (source, source_index, id, destination, amount, currency, recorded_at, reference, source_debits)"
            + " SELECT u.source, u.idx, u.id, u.destination, u.amount, ?, ?, NULL, u.amount * (u.idx + 1)"
            + " FROM unnest(?::text[], ?::bigint[], ?::uuid[], ?::text[], ?::bigint[]) AS u(source, idx, id, destination,"
            + " amount)";

    /**
     * The bulk ceiling: {@code sources.length} rows in one INSERT (arrays bound as parameters, one round trip, one
     * commit), the same columns as {@link #rawInsert}.
     */
    public int rawInsertBatch(String[] sources, String[] destinations, long amount) throws SQLException {
        counters.attempts.increment();
        int n = sources.length;
        Object[] indices = new Object[n];
        Object[] ids = new Object[n];
        Object[] amounts = new Object[n];
        long first = rawIndex.getAndAdd(n);
        for (int i = 0; i < n; i++) {
            indices[i] = first + i;
            ids[i] = this.ids.get();
            amounts[i] = amount;
        }
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(RAW_INSERT_BATCH)) {
            ps.setString(1, BenchData.CURRENCY);
            ps.setObject(2, now());
            ps.setArray(3, c.createArrayOf("text", sources));
            ps.setArray(4, c.createArrayOf("int8", indices));
            ps.setArray(5, c.createArrayOf("uuid", ids));
            ps.setArray(6, c.createArrayOf("text", destinations));
            ps.setArray(7, c.createArrayOf("int8", amounts));
            int rows = ps.executeUpdate();
            counters.ops.increment();
            return rows;
        }
    }

    /** Locking: one function call (one transaction), retried on deadlock or serialization failure. */
    public long locking(String source, String destination, long amount) throws SQLException {
        UUID id = ids.get();
        for (int attempt = 1; ; attempt++) {
            counters.attempts.increment();
            try (Connection c = pool.getConnection();
                    PreparedStatement ps = c.prepareStatement(LOCKING_TRANSFER)) {
                ps.setObject(1, id);
                ps.setString(2, source);
                ps.setString(3, destination);
                ps.setLong(4, amount);
                ps.setString(5, BenchData.CURRENCY);
                ps.setObject(6, now());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    counters.ops.increment();
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                if (!retryable(e, attempt)) {
                    throw e;
                }
            }
        }
    }

    /** The seed: SUM and COUNT, then INSERT at index COUNT, in one transaction; retried when the index was taken. */
    public long seed(String source, String destination, long amount) throws SQLException {
        UUID id = ids.get();
        for (int attempt = 1; ; attempt++) {
            counters.attempts.increment();
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    long balance;
                    long index;
                    try (PreparedStatement ps = c.prepareStatement(SEED_READ)) {
                        ps.setString(1, source);
                        ps.setString(2, source);
                        ps.setString(3, source);
                        ps.setString(4, source);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            balance = rs.getLong(1);
                            index = rs.getLong(2);
                        }
                    }
                    if (balance < amount) {
                        c.rollback();
                        throw new IllegalStateException(
                                "seed baseline: " + source + " has " + balance + " < " + amount);
                    }
                    try (PreparedStatement ps = c.prepareStatement(SEED_INSERT)) {
                        ps.setString(1, source);
                        ps.setLong(2, index);
                        ps.setObject(3, id);
                        ps.setString(4, destination);
                        ps.setLong(5, amount);
                        ps.setString(6, BenchData.CURRENCY);
                        ps.setObject(7, now());
                        ps.executeUpdate();
                    }
                    c.commit();
                    counters.ops.increment();
                    return index;
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                if (!retryable(e, attempt)) {
                    throw e;
                }
            }
        }
    }

    /**
     * The seed's balance read: the SUM over every transfer of the account (optionally up to an instant), over the
     * ledger's own rows: its credits (credit, by account) minus its debits (transfer, by source). Parameters: the
     * account, then (as of) the instant, twice.
     */
    public static final String SEED_BALANCE_SQL = "SELECT coalesce((SELECT sum(amount) FROM %1$s.credit"
            + " WHERE account = ? AND kind IN (0, 2)), 0) - coalesce((SELECT sum(amount) FROM %1$s.transfer"
            + " WHERE source = ? AND kind IN (0, 2)), 0)";

    public static final String SEED_BALANCE_AS_OF_SQL = "SELECT coalesce((SELECT sum(amount) FROM %1$s.credit"
            + " WHERE account = ? AND recorded_at <= ? AND kind IN (0, 2)), 0) - coalesce((SELECT sum(amount) FROM"
            + " %1$s.transfer WHERE source = ? AND recorded_at <= ? AND kind IN (0, 2)), 0)";

    /** Counts the failure; returns whether to retry (after backing off), false to give up and rethrow. */
    private boolean retryable(SQLException e, int attempt) {
        String state = e.getSQLState();
        if ("40P01".equals(state)) {
            counters.deadlocks.increment();
        } else if ("40001".equals(state)) {
            counters.serializationFailures.increment();
        } else if (!"23505".equals(state)) {
            return false;
        }
        counters.retries.increment();
        if (attempt >= RETRY.maxAttempts()) {
            counters.failures.increment();
            counters.ops.increment();
            return false;
        }
        long nanos = RETRY.backoffNanos(attempt, ThreadLocalRandom.current());
        if (nanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(nanos);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.ofInstant(Instant.now().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }
}

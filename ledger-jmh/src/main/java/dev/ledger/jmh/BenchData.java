package dev.ledger.jmh;

import dev.ledger.postgres.PostgresLedgerStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Bulk loading of benchmark fixtures into a ledger schema by plain SQL ({@code INSERT ... SELECT generate_series}),
 * much faster than recording each transfer through the ledger: a 1M-transfer history loads in seconds.
 *
 * <p><b>Benchmark fixture only.</b> The rows are computed to satisfy every rule {@code append_transfers} enforces
 * (contiguous {@code source_index}, cumulative {@code source_debits}, non-decreasing {@code recorded_at} per source,
 * sufficient funds at every instant, unique time-ordered ids), but they are written straight into the table, as the
 * schema owner, in one transaction ({@link #bulkLoad}): the only role that can. Applications cannot (they have no
 * INSERT privilege) and must never be given the owner's rights.
 *
 * <p>Loaded rows are dated days in the past, so a load must precede the first seal of the schema (no transfer may be
 * dated at or before a seal, and the summariser never revisits a sealed interval); {@link #bulkLoad} checks this. After
 * loading, the caller runs {@code VACUUM (ANALYZE)} (what autovacuum would eventually do) and then
 * {@link #afterBulkLoad(PostgresLedgerStore)}.
 */
public final class BenchData {
    /** The issuer every fixture account is funded by. */
    public static final String ISSUER = "bank";

    public static final String CURRENCY = "USD";
    /** The amount of each credit in a loaded history (each debit is 1): the balance stays large. */
    public static final long HISTORY_CREDIT = 1_000_000;

    /** Distinguishes the ids of different loads into one schema (the first 8 hex digits of the uuid). */
    private static final AtomicInteger TAGS = new AtomicInteger(0x0b0000);

    private BenchData() {}

    /**
     * The hook called after every bulk load of history, with the table vacuumed and analysed, before any benchmark
     * operation runs. A store that keeps derived state about balances (checkpoints, summaries) builds it here for the
     * rows loaded behind its back.
     *
     * <p>Today: runs the store's balance summariser ({@link PostgresLedgerStore#summarize()}) until a seal is
     * summarised. No seal existed before the load ({@link #bulkLoad} checks), so that first seal covers every loaded
     * row, and the credit checkpoints are in place before measuring (rather than whenever the store's background round
     * gets to it). The owners of the summaries may replace this with a finer backfill (the loaded history gets one
     * checkpoint, at its end, so reads as of instants inside it still scan the credits before them).
     *
     * @param store the store on the schema just loaded
     */
    public static void afterBulkLoad(PostgresLedgerStore store) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (store.summarizedThrough().isEmpty()) {
            if (store.summarize() == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the balance summariser did not summarise the bulk load within 120 s");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while summarising the bulk load", e);
                }
            }
        }
    }

    /** One bulk load: statements run on the given connection, inside the transaction of {@link #bulkLoad}. */
    @FunctionalInterface
    public interface Load {
        void run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code load} in one transaction as the schema owner (see the class comment), after checking that the schema
     * has no seal yet.
     */
    public static void bulkLoad(DataSource ds, String schema, Load load) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT CASE WHEN to_regclass('" + schema
                                + ".seal') IS NULL THEN 0" + " ELSE (SELECT count(*) FROM " + schema + ".seal) END")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        throw new IllegalStateException(
                                "schema " + schema + " is already sealed: back-dated rows loaded now"
                                        + " would be missed by its balance summaries; load fixtures before the first transfer");
                    }
                }
                load.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Opens the issuer account {@value #ISSUER} if absent, dated three days ago. */
    public static void openIssuer(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO " + schema + ".account (id, currency, issuer, opened_at)"
                        + " VALUES (?, ?, true, ?) ON CONFLICT (id) DO NOTHING")) {
            ps.setString(1, ISSUER);
            ps.setString(2, CURRENCY);
            ps.setObject(3, at(base().minus(3, ChronoUnit.DAYS)));
            ps.executeUpdate();
        }
    }

    /**
     * Opens {@code count} ordinary accounts {@code prefix0 .. prefix(count-1)}, each funded by one transfer of
     * {@code funding} from the issuer, dated three days ago (one microsecond apart). Call inside {@link #bulkLoad}.
     *
     * @return the account ids
     */
    public static String[] openFundedAccounts(Connection c, String schema, String prefix, int count, long funding)
            throws SQLException {
        openIssuer(c, schema);
        Instant at = base().minus(3, ChronoUnit.DAYS).plusSeconds(1);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".account"
                + " (id, currency, issuer, opened_at, lower_limit) SELECT ?::text || g, ?, false, ?, 0"
                + " FROM generate_series(0, ? - 1) g")) {
            ps.setString(1, prefix);
            ps.setString(2, CURRENCY);
            ps.setObject(3, at(at));
            ps.setInt(4, count);
            ps.executeUpdate();
        }
        Head bank = head(c, schema, ISSUER);
        try (PreparedStatement ps = c.prepareStatement(withCreditRows(
                schema,
                "INSERT INTO " + schema + ".transfer"
                        + " (source, source_index, id, destination, amount, currency, recorded_at, reference, source_debits)"
                        + " SELECT ?, ?::bigint + g, " + uuid("?::int", "g") + ", ?::text || g, ?::bigint, ?,"
                        + " ?::timestamptz + g * interval '1 microsecond', 'opening balance', ?::bigint + (g + 1) * ?::bigint"
                        + " FROM generate_series(0, ?::bigint - 1) g"))) {
            int i = 1;
            ps.setString(i++, ISSUER);
            ps.setLong(i++, bank.nextIndex);
            ps.setInt(i++, TAGS.incrementAndGet());
            ps.setString(i++, prefix);
            ps.setLong(i++, funding);
            ps.setString(i++, CURRENCY);
            ps.setObject(i++, at(bank.after(at.plusMillis(1))));
            ps.setLong(i++, bank.debits);
            ps.setLong(i++, funding);
            ps.setLong(i, count);
            ps.executeUpdate();
        }
        String[] ids = new String[count];
        for (int i = 0; i < count; i++) {
            ids[i] = prefix + i;
        }
        return ids;
    }

    /**
     * Gives account {@code account} a history of {@code transfers} transfers, alternately a credit of
     * {@value #HISTORY_CREDIT} from the issuer and a debit of 1 to {@code sink} (both opened here if absent), one
     * millisecond apart, starting two days ago. Its balance never goes negative. Call inside {@link #bulkLoad}.
     *
     * @return the recorded time of the middle of the history (half its transfers are at or before it)
     */
    public static Instant loadHistory(Connection c, String schema, String account, String sink, int transfers)
            throws SQLException {
        openIssuer(c, schema);
        Instant earliest = base().minus(2, ChronoUnit.DAYS);
        long credits = (transfers + 1) / 2;
        long debits = transfers / 2;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + schema + ".account"
                        + " (id, currency, issuer, opened_at, lower_limit) VALUES (?, ?, false, ?, 0) ON CONFLICT (id) DO NOTHING")) {
            for (String id : new String[] {account, sink}) {
                ps.setString(1, id);
                ps.setString(2, CURRENCY);
                ps.setObject(3, at(earliest.minusSeconds(60)));
                ps.executeUpdate();
            }
        }
        Head bank = head(c, schema, ISSUER);
        if (head(c, schema, account).nextIndex != 0) {
            throw new IllegalStateException("account " + account + " already has debits");
        }
        Instant start = bank.after(earliest);
        // Credits: transfer 2k of the history, from the issuer.
        try (PreparedStatement ps = c.prepareStatement(withCreditRows(
                schema,
                "INSERT INTO " + schema + ".transfer"
                        + " (source, source_index, id, destination, amount, currency, recorded_at, reference, source_debits)"
                        + " SELECT ?, ?::bigint + k, " + uuid("?::int", "k") + ", ?, " + HISTORY_CREDIT + ", ?,"
                        + " ?::timestamptz + (2 * k) * interval '1 millisecond', NULL, ?::bigint + (k + 1) * "
                        + HISTORY_CREDIT
                        + " FROM generate_series(0, ?::bigint - 1) k"))) {
            int i = 1;
            ps.setString(i++, ISSUER);
            ps.setLong(i++, bank.nextIndex);
            ps.setInt(i++, TAGS.incrementAndGet());
            ps.setString(i++, account);
            ps.setString(i++, CURRENCY);
            ps.setObject(i++, at(start));
            ps.setLong(i++, bank.debits);
            ps.setLong(i, credits);
            ps.executeUpdate();
        }
        // Debits: transfer 2k+1 of the history, to the sink.
        try (PreparedStatement ps = c.prepareStatement(withCreditRows(
                schema,
                "INSERT INTO " + schema + ".transfer"
                        + " (source, source_index, id, destination, amount, currency, recorded_at, reference, source_debits)"
                        + " SELECT ?, k, " + uuid("?::int", "k") + ", ?, 1, ?,"
                        + " ?::timestamptz + (2 * k + 1) * interval '1 millisecond', NULL, k + 1"
                        + " FROM generate_series(0, ?::bigint - 1) k"))) {
            int i = 1;
            ps.setString(i++, account);
            ps.setInt(i++, TAGS.incrementAndGet());
            ps.setString(i++, sink);
            ps.setString(i++, CURRENCY);
            ps.setObject(i++, at(start));
            ps.setLong(i, debits);
            ps.executeUpdate();
        }
        return start.plusMillis(transfers / 2);
    }

    /**
     * The INSERT of transfer rows, and of their credit rows (the copy keyed by destination that append_transfers writes
     * with each transfer), as one statement.
     */
    private static String withCreditRows(String schema, String insertTransfers) {
        return "WITH t AS (" + insertTransfers
                + " RETURNING destination, recorded_at, id, amount, source, source_index,"
                + " currency, reference) INSERT INTO " + schema + ".credit (account, recorded_at, id, amount, source,"
                + " source_index, currency, reference) SELECT * FROM t";
    }

    /** {@code VACUUM (ANALYZE)} of the given tables: sets the visibility map (index-only scans) and statistics. */
    public static void vacuumAnalyze(DataSource ds, String... tables) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute("VACUUM (ANALYZE) " + String.join(", ", tables));
        }
    }

    /** The source's next index, cumulative debits and latest debit time (null before its first debit). */
    private record Head(
            long nextIndex, long debits, @Nullable Instant latest) {
        /** {@code wanted}, or just after the latest debit if that is later: a source's times never go back. */
        Instant after(Instant wanted) {
            return latest == null || latest.isBefore(wanted) ? wanted : latest.plusMillis(1);
        }
    }

    private static Head head(Connection c, String schema, String source) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT source_index, source_debits, recorded_at FROM " + schema
                + ".transfer WHERE source = ? ORDER BY source_index DESC LIMIT 1")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? new Head(
                                rs.getLong(1) + 1,
                                rs.getLong(2),
                                rs.getObject(3, OffsetDateTime.class).toInstant())
                        : new Head(0, 0, null);
            }
        }
    }

    /** SQL for a time-ordered-looking uuid {@code tttttttt-0000-7000-8000-nnnnnnnnnnnn} (tag, number). */
    private static String uuid(String tag, String number) {
        return "(lpad(to_hex(" + tag + "), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(" + number
                + "), 12, '0'))::uuid";
    }

    /** Now, to the second: fixtures are dated relative to it, always in the past. */
    private static Instant base() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    static OffsetDateTime at(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

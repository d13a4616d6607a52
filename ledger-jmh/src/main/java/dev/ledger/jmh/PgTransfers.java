package dev.ledger.jmh;

import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.Coalescing;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.TransferResult;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

/**
 * The fixture of the transfer workloads: a new database with {@code accounts} funded accounts in the ledger schema and
 * the same accounts in every baseline, one pool for all, and the four ways to move money between account {@code i} and
 * account {@code j}.
 */
final class PgTransfers implements Workload.Fixture {
    /** Every account's opening balance: large enough that no workload runs out. */
    static final long FUNDING = 1_000_000_000_000L;

    static final long AMOUNT = 1;

    final BenchDatabase db;
    final Ledger ledger;
    final Baselines baselines;
    final String[] names;
    final AccountId[] ids;
    private final Map<String, Object> setup = new LinkedHashMap<>();

    private PgTransfers(BenchDatabase db, Ledger ledger, Baselines baselines, String[] names) {
        this.db = db;
        this.ledger = ledger;
        this.baselines = baselines;
        this.names = names;
        this.ids = new AccountId[names.length];
        for (int i = 0; i < names.length; i++) {
            ids[i] = AccountId.of(names[i]);
        }
    }

    static PgTransfers create(String label, int accounts) {
        BenchDatabase db = BenchDatabase.create(label);
        try {
            SetupTimes times = new SetupTimes();
            String[][] names = new String[1][];
            BenchData.bulkLoad(
                    db.pool(),
                    BenchDatabase.LEDGER_SCHEMA,
                    c -> names[0] =
                            BenchData.openFundedAccounts(c, BenchDatabase.LEDGER_SCHEMA, "a", accounts, FUNDING));
            times.step("load");
            BenchData.vacuumAnalyze(
                    db.pool(), BenchDatabase.LEDGER_SCHEMA + ".transfer", BenchDatabase.LEDGER_SCHEMA + ".account");
            times.step("vacuum_analyze");
            BenchData.afterBulkLoad(db.store());
            times.step("after_bulk_load");
            Baselines baselines = Baselines.create(db);
            times.step("baselines");
            Ledger.Builder builder =
                    Ledger.builder(db.store()).listener(db.counters().listener());
            // -Dledger.bench.coalescing=off|natural|natural:WRITERS compares by hand; the run measures the default.
            coalescing(builder, System.getProperty("ledger.bench.coalescing", "default"));
            Ledger ledger = builder.build();
            PgTransfers fx = new PgTransfers(db, ledger, baselines, names[0]);
            fx.setup.put("accounts", accounts);
            fx.setup.put("database_seconds", db.setupSeconds());
            fx.setup.putAll(times.seconds());
            return fx;
        } catch (SQLException | RuntimeException e) {
            db.close();
            throw new IllegalStateException("transfer fixture setup failed: " + e.getMessage(), e);
        }
    }

    /**
     * Sets on {@code builder} the coalescing that {@code coalescing} names: {@code off}, {@code natural} or
     * {@code natural:WRITERS}. False, and the builder left as it is, for any other name ({@code default}: the store's).
     */
    static boolean coalescing(Ledger.Builder builder, String coalescing) {
        if (coalescing.equals("off")) {
            builder.coalescing(Coalescing.off());
        } else if (coalescing.equals("natural")) {
            builder.coalescing(Coalescing.natural());
        } else if (coalescing.startsWith("natural:")) { // natural:WRITERS
            builder.coalescing(Coalescing.natural(512, Integer.parseInt(coalescing.substring("natural:".length()))));
        } else {
            return false;
        }
        return true;
    }

    /** Through {@link Ledger#transfer}; null when the ledger gave up after every retry (counted as a failure). */
    @Nullable
    Transfer ledger(int source, int destination) {
        return counted(
                () -> ledger.transfer(TransferRequest.of(ids[source], ids[destination], AMOUNT, BenchData.CURRENCY)));
    }

    /** A pending transfer of {@link #AMOUNT} and its post in full: one operation (null as for {@link #ledger}). */
    @Nullable
    Transfer pendingPost(int source, int destination) {
        return counted(() -> ledger.transfer(TransferRequest.post(
                ledger.transfer(TransferRequest.pending(ids[source], ids[destination], AMOUNT, BenchData.CURRENCY)
                        .withTimeout(java.time.Duration.ofHours(1))))));
    }

    /** Runs one operation and counts it; a ledger that gave up after every retry is a failure, and null. */
    private @Nullable Transfer counted(java.util.function.Supplier<Transfer> operation) {
        try {
            Transfer t = operation.get();
            db.counters().ops.increment();
            return t;
        } catch (LedgerUnavailableException e) {
            if (e.kind() != LedgerUnavailableException.Kind.RETRIES_EXHAUSTED) {
                throw e;
            }
            db.counters().failures.increment();
            db.counters().ops.increment();
            return null;
        }
    }

    /** One independent batch through {@link Ledger#transferBatch}; returns the items recorded. */
    int ledgerBatch(int[] sources, int[] destinations) {
        List<TransferRequest> requests = new ArrayList<>(sources.length);
        for (int i = 0; i < sources.length; i++) {
            requests.add(TransferRequest.of(ids[sources[i]], ids[destinations[i]], AMOUNT, BenchData.CURRENCY));
        }
        int recorded = 0;
        for (TransferResult r : ledger.transferBatch(requests, BatchMode.INDEPENDENT)) {
            if (r instanceof TransferResult.Recorded) {
                recorded++;
            }
        }
        db.counters().ops.increment();
        return recorded;
    }

    int rawBatch(int[] sources, int[] destinations) throws SQLException {
        String[] s = new String[sources.length];
        String[] d = new String[sources.length];
        for (int i = 0; i < sources.length; i++) {
            s[i] = names[sources[i]];
            d[i] = names[destinations[i]];
        }
        return baselines.rawInsertBatch(s, d, AMOUNT);
    }

    int raw(int source, int destination) throws SQLException {
        return baselines.rawInsert(names[source], names[destination], AMOUNT);
    }

    long locking(int source, int destination) throws SQLException {
        try {
            return baselines.locking(names[source], names[destination], AMOUNT);
        } catch (SQLException e) {
            return givenUp(e);
        }
    }

    long seed(int source, int destination) throws SQLException {
        try {
            return baselines.seed(names[source], names[destination], AMOUNT);
        } catch (SQLException e) {
            return givenUp(e);
        }
    }

    /** -1 for a conflict the baseline gave up on after every retry (already counted); anything else is a bug. */
    private static long givenUp(SQLException e) throws SQLException {
        String state = e.getSQLState();
        if ("40P01".equals(state) || "40001".equals(state) || "23505".equals(state)) {
            return -1;
        }
        throw e;
    }

    @Override
    public void iterationStarts(IterationParams params) {
        db.iterationStarts(params);
    }

    @Override
    public void iterationEnds(IterationParams params) {
        db.iterationEnds(params);
    }

    void finish(BenchmarkParams params) {
        db.finish(params, Map.of("setup", setup));
    }
}

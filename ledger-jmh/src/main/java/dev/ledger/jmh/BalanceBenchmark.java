package dev.ledger.jmh;

import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.Ledger;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Reads and debits of one account with a long history: {@code history} transfers, half credits and half debits,
 * bulk-loaded into a new database for each trial ({@link BenchData#loadHistory}). Latencies are sampled (JMH
 * SampleTime), so the report can give percentiles. The seed's balance read (a SUM over every transfer of the account)
 * runs on the same rows, in the ledger's table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BalanceBenchmark extends Workload<BenchDatabase> {
    static final String ACCOUNT = "h";

    @Param({"1000", "1000000"})
    public int history;

    private Ledger ledger;
    private AccountId account;
    private AccountId destination;
    private Instant middle;
    private String seedBalanceSql;
    private String seedBalanceAsOfSql;
    private final Map<String, Object> setup = new LinkedHashMap<>();

    @Setup(Level.Trial)
    public void setUp() {
        fx = BenchDatabase.create("balance");
        try {
            String schema = BenchDatabase.LEDGER_SCHEMA;
            long t0 = System.nanoTime();
            Instant[] mid = new Instant[1];
            BenchData.bulkLoad(fx.pool(), schema, c -> {
                BenchData.openFundedAccounts(c, schema, "d", 1, PgTransfers.FUNDING);
                mid[0] = BenchData.loadHistory(c, schema, ACCOUNT, "sink", history);
            });
            middle = mid[0];
            long t1 = System.nanoTime();
            BenchData.vacuumAnalyze(fx.pool(), schema + ".transfer", schema + ".credit", schema + ".account");
            long t2 = System.nanoTime();
            BenchData.afterBulkLoad(fx.store());
            long t3 = System.nanoTime();
            setup.put("history", history);
            setup.put("load_seconds", (t1 - t0) / 1e9);
            setup.put("vacuum_analyze_seconds", (t2 - t1) / 1e9);
            setup.put("after_bulk_load_seconds", (t3 - t2) / 1e9);
            ledger = Ledger.builder(fx.store())
                    .listener(fx.counters().listener())
                    .build();
            account = AccountId.of(ACCOUNT);
            destination = AccountId.of("d0");
            seedBalanceSql = Baselines.SEED_BALANCE_SQL.formatted(schema);
            seedBalanceAsOfSql = Baselines.SEED_BALANCE_AS_OF_SQL.formatted(schema);
            setup.put("plans", plans(schema));
            // A few holds on the account, so that the balance views read some: 20 pending (half expiring within the
            // hour), 10 of them posted, 5 voided.
            for (int i = 0; i < 20; i++) {
                TransferRequest hold = TransferRequest.pending(account, destination, 1, BenchData.CURRENCY);
                Transfer held =
                        ledger.transfer(i % 2 == 0 ? hold.withTimeout(java.time.Duration.ofMinutes(30 + i)) : hold);
                if (i < 10) {
                    ledger.transfer(TransferRequest.post(held));
                } else if (i < 15) {
                    ledger.transfer(TransferRequest.voidPending(held));
                }
            }
            long expected = seedBalance(null);
            if (ledger.balance(account) != expected) {
                throw new IllegalStateException("ledger balance " + ledger.balance(account) + " != SUM " + expected);
            }
        } catch (SQLException | RuntimeException e) {
            fx.close();
            throw new IllegalStateException("balance fixture setup failed: " + e.getMessage(), e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) {
        fx.finish(params, Map.of("setup", setup));
    }

    /** {@code Ledger.balance}: the balance now. */
    @Benchmark
    public long balance() {
        long b = ledger.balance(account);
        fx.counters().ops.increment();
        return b;
    }

    /** {@code Ledger.balanceAsOf}: the balance at the middle of the history. */
    @Benchmark
    public long balanceAsOf() {
        long b = ledger.balanceAsOf(account, middle);
        fx.counters().ops.increment();
        return b;
    }

    /** {@code Ledger.balances}: posted, pending debits and credits now (the account holds a few pending transfers). */
    @Benchmark
    public Balances balances() {
        Balances b = ledger.balances(account);
        fx.counters().ops.increment();
        return b;
    }

    /** {@code Ledger.balancesAsOf}: the balance views at the middle of the history. */
    @Benchmark
    public Balances balancesAsOf() {
        Balances b = ledger.balancesAsOf(account, middle);
        fx.counters().ops.increment();
        return b;
    }

    /** The seed's read: SUM over every transfer of the account. */
    @Benchmark
    public long seedSumBalance() throws SQLException {
        return seedBalance(null);
    }

    /** The seed's read as of the middle of the history. */
    @Benchmark
    public long seedSumBalanceAsOf() throws SQLException {
        return seedBalance(middle);
    }

    /** The debit path: {@code Ledger.transfer} of 1 from the account with the long history. */
    @Benchmark
    public Transfer debit() {
        Transfer t = ledger.transfer(TransferRequest.of(account, destination, 1, BenchData.CURRENCY));
        fx.counters().ops.increment();
        return t;
    }

    /**
     * EXPLAIN (ANALYZE, BUFFERS) of the seed's balance read on this history, for the report (the ledger's own reads are
     * PL/pgSQL and SQL functions: their inner statements appear in the pg_stat_statements table instead).
     */
    private Map<String, String> plans(String schema) throws SQLException {
        Map<String, String> plans = new LinkedHashMap<>();
        plans.put(
                "seed_sum", explain(Baselines.SEED_BALANCE_SQL.formatted(schema).replace("?", "'" + ACCOUNT + "'")));
        return plans;
    }

    private String explain(String sql) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (Connection c = fx.pool().getConnection();
                PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    private long seedBalance(@Nullable Instant asOf) throws SQLException {
        try (Connection c = fx.pool().getConnection();
                PreparedStatement ps = c.prepareStatement(asOf == null ? seedBalanceSql : seedBalanceAsOfSql)) {
            if (asOf == null) {
                ps.setString(1, ACCOUNT);
                ps.setString(2, ACCOUNT);
            } else {
                ps.setString(1, ACCOUNT);
                ps.setObject(2, BenchData.at(asOf));
                ps.setString(3, ACCOUNT);
                ps.setObject(4, BenchData.at(asOf));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                fx.counters().ops.increment();
                return rs.getLong(1);
            }
        }
    }
}

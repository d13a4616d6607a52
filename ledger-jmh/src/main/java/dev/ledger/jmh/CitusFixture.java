package dev.ledger.jmh;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.postgres.PostgresLedgerStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The ledger of one Citus benchmark trial: a new schema {@code bench_<label>_<target>_<random>} on the coordinator
 * named by {@value BenchProps#JDBC_URL}, distributed across the cluster ({@code cluster}) or not ({@code single}:
 * ordinary tables on the coordinator, the same server binary and settings), with {@code accounts} accounts opened
 * through {@link Ledger#open}. Each account has an overdraft line of {@value #OVERDRAFT} instead of an opening balance:
 * no funding transfers from one issuer to set up, and the same funds check on every transfer. The balance summariser
 * runs on both targets at the library's default ({@link BenchProps#CITUS_SUMMARIZER}). The ledger's listener
 * ({@link Counters#listener()}) counts attempts and retries. At the end of the trial it counts, from the rows, the
 * transfers and the transactions that recorded them, and those whose rows span more than one worker, writes the side
 * file and drops the schema.
 */
final class CitusFixture implements Workload.Fixture {
    static final long OVERDRAFT = 1_000_000_000_000L;
    static final long AMOUNT = 1;
    static final String CURRENCY = "USD";
    private static final boolean DEBUG = Boolean.getBoolean(BenchProps.DEBUG);
    private static final long SLOW_NANOS = 200_000_000L;

    final boolean distributed;
    final String schema;
    final CitusNodes nodes;
    final AccountId[] ids;
    /** The worker index of each account (cluster only; empty on a single node). */
    final int[] workers;
    /** Transfer ids with a known worker (cluster only; null on a single node). */
    final @Nullable IdPool idPool;

    final Ledger ledger;
    private final HikariDataSource pool;
    private final Counters counters = new Counters();
    private final LongAdder rejected = new LongAdder();
    private final Map<String, Object> setup = new LinkedHashMap<>();
    private final ClusterMeter meter;

    private CitusFixture(
            boolean distributed,
            String schema,
            CitusNodes nodes,
            HikariDataSource pool,
            PostgresLedgerStore postgres,
            AccountId[] ids,
            @Nullable IdPool idPool,
            int[] workers,
            String coalescing) {
        this.distributed = distributed;
        this.schema = schema;
        this.nodes = nodes;
        this.pool = pool;
        this.ids = ids;
        this.idPool = idPool;
        this.workers = workers;
        Ledger.Builder builder = Ledger.builder(postgres).listener(counters.listener());
        if (idPool != null) {
            builder.transferIds(idPool);
        }
        if (!PgTransfers.coalescing(builder, coalescing) && !coalescing.equals("default")) {
            throw new IllegalArgumentException(
                    "coalescing is default, off, natural or natural:WRITERS, not " + coalescing);
        }
        this.ledger = builder.build();
        setup.put("coalescing", coalescing);
        this.meter = new ClusterMeter(nodes, this::counts);
    }

    /**
     * Creates the trial's schema and opens its accounts {@code a0 .. a(accounts-1)}.
     *
     * @param label a short lower-case label for the schema's name
     * @param coalescing {@code default}, {@code off}, {@code natural} or {@code natural:WRITERS}
     */
    static CitusFixture create(String label, boolean distributed, int accounts, String coalescing) {
        String url = System.getProperty(BenchProps.JDBC_URL, "").trim();
        if (url.isEmpty()) {
            throw new IllegalStateException(
                    "the Citus benchmarks need -D" + BenchProps.JDBC_URL + "=<coordinator URL>");
        }
        CitusNodes nodes = CitusNodes.discover(url);
        String schema = BenchDatabase.benchName(label + "_" + (distributed ? "cluster" : "single"));
        HikariConfig config = BenchDatabase.poolConfig(url, "citus-bench");
        config.addDataSourceProperty("ApplicationName", ClusterMeter.APPLICATION_NAME);
        if (distributed) {
            config.setConnectionInitSql("SET citus.shard_count TO " + BenchProps.citusShardCount());
        }
        HikariDataSource pool = new HikariDataSource(config);
        PostgresLedgerStore postgres = null;
        try {
            SetupTimes times = new SetupTimes();
            boolean summarizer = BenchProps.citusSummarizer();
            PostgresLedgerStore.Builder builder = PostgresLedgerStore.builder()
                    .dataSource(pool)
                    .schema(schema)
                    .migrateOnStart(true)
                    .distributed(distributed);
            if (!summarizer) {
                builder.summarizeEvery(Duration.ZERO);
            }
            postgres = builder.build();
            times.step("migrate");
            AccountId[] ids = new AccountId[accounts];
            String[] names = new String[accounts];
            for (int i = 0; i < accounts; i++) {
                names[i] = "a" + i;
                ids[i] = AccountId.of(names[i]);
            }
            times.skip();
            int[] workers =
                    distributed ? Placements.workersOf(pool, nodes, schema + ".account", "text", names) : new int[0];
            IdPool idPool = distributed ? new IdPool(pool, nodes, schema, BenchProps.seed()) : null;
            if (idPool != null) {
                idPool.prefill();
            }
            CitusFixture fx =
                    new CitusFixture(distributed, schema, nodes, pool, postgres, ids, idPool, workers, coalescing);
            times.step("placement");
            fx.openAccounts();
            times.step("open");
            fx.sql("VACUUM (ANALYZE) " + schema + ".account");
            times.step("analyze");
            fx.setup.put("accounts", accounts);
            fx.setup.put("summarizer", summarizer ? "every 1 s (the library's default)" : "off");
            fx.setup.putAll(times.seconds());
            return fx;
        } catch (SQLException | RuntimeException e) {
            if (postgres != null) {
                postgres.close();
            }
            pool.close();
            dropSchema(url, schema);
            throw new IllegalStateException(
                    "setting up Citus benchmark schema " + schema + " failed: " + e.getMessage(), e);
        }
    }

    /** Opens the accounts through the ledger, from as many threads as the pool has connections. */
    private void openAccounts() {
        int threads = Math.max(1, Math.min(16, BenchProps.poolSize()));
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(executor.submit(() -> {
                    for (int i = first; i < ids.length; i += threads) {
                        ledger.open(NewAccount.of(ids[i], CURRENCY).withLowerLimit(-OVERDRAFT));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening accounts", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("opening accounts failed: " + e.getCause(), e.getCause());
        } finally {
            executor.shutdownNow();
        }
    }

    /** One transfer of {@value #AMOUNT} from account {@code source} to {@code destination}. */
    @Nullable
    Transfer transfer(int source, int destination) {
        return transfer(TransferRequest.of(ids[source], ids[destination], AMOUNT, CURRENCY));
    }

    /**
     * Records a transfer and counts it; null when the ledger rejected it or gave up after every retry (both counted,
     * and neither is a recorded transfer).
     */
    @Nullable
    Transfer transfer(TransferRequest request) {
        long t0 = DEBUG ? System.nanoTime() : 0;
        try {
            Transfer t = ledger.transfer(request);
            counters.ops.increment();
            if (DEBUG && System.nanoTime() - t0 > SLOW_NANOS) {
                System.out.printf(
                        Locale.ROOT,
                        "[slow] %s transfer %d took %.0f ms%n",
                        schema,
                        counters.ops.sum(),
                        (System.nanoTime() - t0) / 1e6);
            }
            return t;
        } catch (LedgerRejectedException e) {
            rejected.increment();
            counters.ops.increment();
            return null;
        } catch (LedgerUnavailableException e) {
            if (e.kind() != LedgerUnavailableException.Kind.RETRIES_EXHAUSTED) {
                throw e;
            }
            counters.failures.increment();
            counters.ops.increment();
            return null;
        }
    }

    /**
     * The client's counters: calls, and the attempts and retries its ledger listener counted; rejections and transfers
     * recorded.
     */
    private Map<String, Long> counts() {
        Map<String, Long> m = counters.snapshot();
        m.put("rejected", rejected.sum());
        long ops = Objects.requireNonNull(m.get("ops"), "ops");
        long failures = Objects.requireNonNull(m.get("failures"), "failures");
        m.put("recorded", ops - failures - rejected.sum());
        return m;
    }

    @Override
    public void iterationStarts(IterationParams params) {
        meter.iterationStarts(params.getType() == IterationType.MEASUREMENT);
    }

    @Override
    public void iterationEnds(IterationParams params) {
        meter.iterationEnds(params.getType() == IterationType.MEASUREMENT, params.getCount());
    }

    /** Closes the ledger, counts what the rows say, writes the side file and drops the schema. */
    void finish(BenchmarkParams params, Map<String, Object> extra) {
        try {
            ledger.close();
            Map<String, Object> rows = rowCounts();
            Map<String, Long> client = counts();
            pool.close();
            meter.awaitSessionsGone();
            Map<String, Object> side = SideFiles.header(params);
            side.put("schema", schema);
            side.put("target", distributed ? "cluster" : "single");
            side.put("shard_count", distributed ? BenchProps.citusShardCount() : 0);
            List<Map<String, Object>> nodeList = new ArrayList<>();
            for (CitusNodes.Node n : nodes.all()) {
                nodeList.add(Map.of("name", n.name(), "host", n.host(), "port", n.port()));
            }
            side.put("nodes", nodeList);
            side.put("pool_size", BenchProps.poolSize());
            side.putAll(extra);
            if (distributed) {
                int[] perWorker = new int[nodes.workers().size()];
                int unplaced = 0;
                for (int w : workers) {
                    if (w >= 0) {
                        perWorker[w]++;
                    } else {
                        unplaced++;
                    }
                }
                setup.put(
                        "accounts_per_worker",
                        java.util.Arrays.stream(perWorker).boxed().toList());
                // (on a worker the run did not know of: one added to the cluster during the run)
                setup.put("accounts_on_unknown_workers", unplaced);
            }
            side.put("setup", setup);
            side.put("measurement", meter.measurement());
            Map<String, Object> trial = meter.trial();
            trial.put("client", client);
            trial.put("rows", rows);
            side.put("trial", trial);
            SideFiles.write(params, side);
        } finally {
            pool.close();
            dropSchema(nodes.all().get(0).url(), schema);
        }
    }

    /**
     * From the rows, over the whole trial: transfers recorded, and the transactions that recorded them (the distinct
     * {@code created_xid}: the coordinator's transaction id, one per store call that committed; with coalescing, one
     * batch of transfers). On the cluster also the transfers whose source and destination are on different workers,
     * those whose three rows (transfer on the source's shard, credit on the destination's, transfer_id on the id's) are
     * not all on one worker, and the transactions whose rows are not all on one worker.
     */
    private Map<String, Object> rowCounts() {
        Map<String, Object> m = new LinkedHashMap<>();
        String sql = !distributed
                ? "SELECT count(*), 0, 0, count(DISTINCT created_xid), 0 FROM " + schema + ".transfer"
                : "WITH t AS MATERIALIZED (SELECT source, destination, id, created_xid FROM " + schema + ".transfer),"
                        + " w AS (SELECT p.shardid, min(n.nodeport) AS port FROM pg_dist_placement p"
                        + "       JOIN pg_dist_node n ON n.groupid = p.groupid GROUP BY p.shardid),"
                        + " x AS (SELECT count(*) AS n, count(*) FILTER (WHERE ws.port <> wd.port) AS across,"
                        + "              count(*) FILTER (WHERE ws.port <> wd.port OR ws.port <> wi.port) AS spread,"
                        + "              min(least(ws.port, wd.port, wi.port)) <> max(greatest(ws.port, wd.port, wi.port))"
                        + "                AS spread_transaction"
                        + "         FROM t"
                        + "         JOIN w ws ON ws.shardid = get_shard_id_for_distribution_column('" + schema
                        + ".account', t.source)"
                        + "         JOIN w wd ON wd.shardid = get_shard_id_for_distribution_column('" + schema
                        + ".account', t.destination)"
                        + "         JOIN w wi ON wi.shardid = get_shard_id_for_distribution_column('" + schema
                        + ".transfer_id', t.id)"
                        + "        GROUP BY t.created_xid)"
                        + " SELECT coalesce(sum(n), 0)::bigint, coalesce(sum(across), 0)::bigint, coalesce(sum(spread), 0)::bigint,"
                        + "        count(*), count(*) FILTER (WHERE spread_transaction)"
                        + "   FROM x";
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            long transfers = rs.getLong(1);
            long transactions = rs.getLong(4);
            m.put("transfers", transfers);
            m.put("transactions", transactions);
            if (distributed) {
                m.put("accounts_on_two_workers", rs.getLong(2));
                m.put("rows_on_two_or_more_workers", rs.getLong(3));
                m.put("transactions_with_rows_on_two_or_more_workers", rs.getLong(5));
                m.put("accounts_on_two_workers_share", transfers == 0 ? -1 : (double) rs.getLong(2) / transfers);
                m.put("rows_on_two_or_more_workers_share", transfers == 0 ? -1 : (double) rs.getLong(3) / transfers);
                m.put(
                        "transactions_with_rows_on_two_or_more_workers_share",
                        transactions == 0 ? -1 : (double) rs.getLong(5) / transactions);
            }
        } catch (SQLException e) {
            m.put("error", e.getMessage());
        }
        // (without summaries, every funds check of an account sums all its credits: the hottest account's count)
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM " + schema
                        + ".credit GROUP BY account) x")) {
            rs.next();
            m.put("most_credits_of_one_account", rs.getLong(1));
        } catch (SQLException e) {
            m.put("most_credits_error", e.getMessage());
        }
        return m;
    }

    private void sql(String sql) throws SQLException {
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void dropSchema(String url, String schema) {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = '" + CitusNodes.DROP_LOCK_TIMEOUT + "'");
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException | RuntimeException e) {
            System.err.println("warning: could not drop benchmark schema " + schema + " (the next run drops it): "
                    + e.getMessage());
        }
    }
}

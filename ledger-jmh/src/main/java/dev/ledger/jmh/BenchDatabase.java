package dev.ledger.jmh;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.postgres.PostgresLedgerStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
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
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The database of one benchmark trial (one JMH fork): a new database on the server, created at setup and dropped at
 * teardown, so nothing is cached across trials or runs. It holds the ledger schema {@value #LEDGER_SCHEMA}, the
 * baselines' schema, and one HikariCP pool of {@link BenchProps#poolSize()} connections that the ledger store and every
 * baseline share.
 *
 * <p>It also measures the trial, for the side file the report reads: counters and CPU time over the measurement
 * iterations only, and the database's own view (pg_stat_statements, deadlocks, WAL, and the time of PL/pgSQL functions
 * such as {@code append_transfers}: each trial's database gets {@code track_functions = 'pl'}).
 */
public final class BenchDatabase implements AutoCloseable, Workload.Fixture {
    public static final String LEDGER_SCHEMA = "ledger";

    private final String adminUrl;
    private final String name;
    private final String url;
    private final HikariDataSource pool;
    private final PostgresLedgerStore store;
    private final Connection monitor;
    private final @Nullable EmbeddedServer ownServer;
    private final Counters counters = new Counters();
    private final boolean statements;
    private final long deadlocksAtStart;
    private int measurementsDone;
    private @Nullable Sample start;
    private @Nullable Sample end;
    private List<Map<String, Object>> statementStats = List.of();
    private boolean closed;
    private double setupSeconds;

    private BenchDatabase(
            String adminUrl,
            String name,
            String url,
            HikariDataSource pool,
            PostgresLedgerStore store,
            Connection monitor,
            @Nullable EmbeddedServer ownServer,
            boolean statements)
            throws SQLException {
        this.adminUrl = adminUrl;
        this.name = name;
        this.url = url;
        this.pool = pool;
        this.store = store;
        this.monitor = monitor;
        this.ownServer = ownServer;
        this.statements = statements;
        this.deadlocksAtStart =
                queryLong(monitor, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }

    /**
     * Creates a new database on the server named by {@value BenchProps#JDBC_URL} (or, when the property is absent, on
     * an embedded server started for this trial alone), migrates the ledger schema and fills the pool.
     *
     * @param label a short lower-case label that goes into the database name
     */
    public static BenchDatabase create(String label) {
        long t0 = System.nanoTime();
        String admin = System.getProperty(BenchProps.JDBC_URL, "").trim();
        EmbeddedServer own = null;
        if (admin.isEmpty()) {
            own = EmbeddedServer.start();
            admin = own.adminUrl();
        }
        String name = benchName(label);
        if (name.length() > 60) {
            name = name.substring(0, 60);
        }
        String template = System.getProperty(BenchProps.TEMPLATE, "").trim();
        try (Connection c = DriverManager.getConnection(admin);
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name + (template.isEmpty() ? "" : " TEMPLATE " + template));
            try {
                st.execute("ALTER DATABASE " + name + " SET track_functions = 'pl'");
            } catch (SQLException notSuperuser) {
                // Function timings are then missing from the report; everything else works.
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot create database " + name + " on " + JdbcUrls.redact(admin)
                            + " (the URL's user needs CREATEDB): " + e.getMessage(),
                    e);
        }
        debug("database created", t0);
        String url = JdbcUrls.withDatabase(admin, name);
        HikariDataSource pool = null;
        Connection monitor = null;
        try {
            monitor = DriverManager.getConnection(url);
            boolean statements = enableStatements(monitor);
            HikariConfig config = poolConfig(url, "bench");
            config.setConnectionTimeout(30_000);
            config.setAutoCommit(true);
            debug("connected", t0);
            pool = new HikariDataSource(config);
            fill(pool);
            debug("pool filled", t0);
            PostgresLedgerStore.Builder builder = PostgresLedgerStore.builder()
                    .dataSource(pool)
                    .schema(LEDGER_SCHEMA)
                    .migrateOnStart(template.isEmpty());
            // -Dledger.bench.summarizeEvery=MS and -Dledger.bench.sealLag=MS compare summariser settings by hand;
            // the run measures the defaults.
            String every = System.getProperty("ledger.bench.summarizeEvery");
            if (every != null) {
                builder.summarizeEvery(Duration.ofMillis(Long.parseLong(every)));
            }
            String lag = System.getProperty("ledger.bench.sealLag");
            if (lag != null) {
                builder.sealLag(Duration.ofMillis(Long.parseLong(lag)));
            }
            PostgresLedgerStore store = builder.build();
            debug("migrated", t0);
            BenchDatabase db = new BenchDatabase(admin, name, url, pool, store, monitor, own, statements);
            db.setupSeconds = (System.nanoTime() - t0) / 1e9;
            return db;
        } catch (SQLException | RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            closeQuietly(monitor);
            dropDatabase(admin, name);
            if (own != null) {
                own.close();
            }
            throw new IllegalStateException("setting up database " + name + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Creates database {@code name} with the ledger schema migrated (and pg_stat_statements when available), for the
     * trials of one run to copy. Connections to it are closed on return, as a template requires.
     */
    static void createTemplate(String adminUrl, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl);
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(JdbcUrls.withDatabase(adminUrl, name));
        PostgresLedgerStore.migrate(ds, LEDGER_SCHEMA);
        try (Connection c = ds.getConnection()) {
            enableStatements(c);
        }
    }

    static void dropTemplate(String adminUrl, String name) {
        dropDatabase(adminUrl, name);
    }

    /**
     * {@code bench_<label>_<random>} in lower case, every character other than a-z, 0-9 and _ replaced by _: the name
     * of a trial's database, or of a Citus trial's schema.
     */
    static String benchName(String label) {
        return ("bench_" + label + "_"
                        + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36))
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
    }

    /** A pool named {@code poolName} of {@link BenchProps#poolSize()} connections to {@code url}, as many kept idle. */
    static HikariConfig poolConfig(String url, String poolName) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(BenchProps.poolSize());
        config.setMinimumIdle(BenchProps.poolSize());
        config.setPoolName(poolName);
        return config;
    }

    private static void debug(String what, long t0) {
        if (Boolean.getBoolean(BenchProps.DEBUG)) {
            System.out.printf("[setup] %.3f s  %s%n", (System.nanoTime() - t0) / 1e9, what);
        }
    }

    private static boolean enableStatements(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            st.executeQuery("SELECT count(*) FROM pg_stat_statements").close();
            return true;
        } catch (SQLException notPreloaded) {
            return false;
        }
    }

    /** Opens every pooled connection now, so that no measured operation waits for a new connection. */
    private static void fill(HikariDataSource pool) throws SQLException {
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < pool.getMaximumPoolSize(); i++) {
                held.add(pool.getConnection());
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    /** Seconds spent creating the database, migrating it and filling the pool. */
    public double setupSeconds() {
        return setupSeconds;
    }

    public String name() {
        return name;
    }

    /** The pool shared by the ledger store and the baselines. */
    public HikariDataSource pool() {
        return pool;
    }

    /** The ledger store on schema {@value #LEDGER_SCHEMA}, using {@link #pool()}. */
    public PostgresLedgerStore store() {
        return store;
    }

    /** The counters the benchmark threads update. */
    public Counters counters() {
        return counters;
    }

    /** Runs statements in one autocommit session of the pool. */
    public void sql(String... sql) throws SQLException {
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement()) {
            for (String s : sql) {
                long t0 = System.nanoTime();
                st.execute(s);
                if (Boolean.getBoolean(BenchProps.DEBUG)) {
                    System.out.printf(
                            "[sql] %.3f s  %s%n",
                            (System.nanoTime() - t0) / 1e9, s.substring(0, Math.min(80, s.length())));
                }
            }
        }
    }

    /** Call from a {@code @Setup(Level.Iteration)} method: starts measuring at the first measurement iteration. */
    @Override
    public void iterationStarts(IterationParams params) {
        if (params.getType() == IterationType.MEASUREMENT && start == null) {
            start = sample();
            resetStatements();
        }
    }

    /** Call from a {@code @TearDown(Level.Iteration)} method: stops measuring after the last measurement iteration. */
    @Override
    public void iterationEnds(IterationParams params) {
        if (params.getType() == IterationType.MEASUREMENT && ++measurementsDone == params.getCount()) {
            end = sample();
            statementStats = readStatements();
        }
    }

    /**
     * Call from the {@code @TearDown(Level.Trial)} method: closes the pool, reads the database's final statistics,
     * writes the side file and drops the database.
     */
    public void finish(BenchmarkParams params, Map<String, Object> extra) {
        long t0 = System.nanoTime();
        try {
            store.close();
            pool.close();
            Map<String, Object> side = SideFiles.header(params);
            side.put("database", name);
            side.put("pool_size", BenchProps.poolSize());
            side.putAll(extra);
            side.put("trial", trialStats());
            Sample first = start;
            Sample last = end;
            if (first != null && last != null) {
                side.put("measurement", measurement(first, last));
            }
            side.put("statements", statementStats);
            SideFiles.write(params, side);
            debug("side file written", t0);
        } finally {
            close();
            debug("closed", t0);
        }
    }

    /** What the database counted over the whole trial; read after the pool's backends have exited and flushed. */
    private Map<String, Object> trialStats() {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            awaitBackendsGone();
            try (Statement st = monitor.createStatement()) {
                st.execute("SELECT pg_stat_clear_snapshot()");
                try (ResultSet rs = st.executeQuery("SELECT deadlocks, xact_commit, xact_rollback, conflicts"
                        + " FROM pg_stat_database WHERE datname = current_database()")) {
                    rs.next();
                    m.put("deadlocks", rs.getLong(1) - deadlocksAtStart);
                    m.put("xact_commit", rs.getLong(2));
                    m.put("xact_rollback", rs.getLong(3));
                    m.put("recovery_conflicts", rs.getLong(4));
                }
                try (ResultSet rs = st.executeQuery("SELECT funcname, calls, total_time, self_time"
                        + " FROM pg_stat_user_functions ORDER BY total_time DESC")) {
                    List<Map<String, Object>> functions = new ArrayList<>();
                    while (rs.next()) {
                        Map<String, Object> f = new LinkedHashMap<>();
                        f.put("function", rs.getString(1));
                        f.put("calls", rs.getLong(2));
                        f.put("total_ms", rs.getDouble(3));
                        f.put("self_ms", rs.getDouble(4));
                        functions.add(f);
                    }
                    m.put("functions", functions);
                }
            }
        } catch (SQLException e) {
            m.put("error", e.getMessage());
        }
        m.put("client", counters.snapshot());
        return m;
    }

    private void awaitBackendsGone() throws SQLException {
        for (int i = 0; i < 100; i++) {
            long others = queryLong(
                    monitor,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND pid <> pg_backend_pid()");
            if (others == 0) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Map<String, Object> measurement(Sample start, Sample end) {
        Map<String, Object> m = new LinkedHashMap<>();
        double seconds = (end.nanos - start.nanos) / 1e9;
        Map<String, Long> c = Counters.delta(start.counters, end.counters);
        long ops = Objects.requireNonNull(c.get("ops"), "ops");
        m.put("seconds", seconds);
        m.put("client", c);
        m.put("ops_per_second", ops / seconds);
        if (end.walLsn != null && start.walLsn != null) {
            try {
                long wal = walDiff(end.walLsn, start.walLsn);
                m.put("wal_bytes", wal);
                m.put("wal_bytes_per_op", ops == 0 ? 0 : (double) wal / ops);
            } catch (SQLException e) {
                m.put("wal_error", e.getMessage());
            }
        }
        CpuSample.Delta cpu = end.cpu.minus(start.cpu);
        m.put("cpu", cpu.toMap(ops));
        return m;
    }

    private long walDiff(String to, String from) throws SQLException {
        try (PreparedStatement ps = monitor.prepareStatement("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)::bigint")) {
            ps.setString(1, to);
            ps.setString(2, from);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The state at one instant of the trial. */
    private record Sample(
            long nanos,
            Map<String, Long> counters,
            @Nullable String walLsn,
            CpuSample cpu) {}

    private Sample sample() {
        String lsn = null;
        List<Long> pids = new ArrayList<>();
        try (Statement st = monitor.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                lsn = rs.getString(1);
            }
            try (ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity")) {
                while (rs.next()) {
                    pids.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            // Without the monitor's answers the side file lacks WAL and server CPU; the benchmark result stands.
        }
        CpuSample cpu = CpuSample.take(JdbcUrls.isLocal(url) ? pids : List.of());
        return new Sample(System.nanoTime(), counters.snapshot(), lsn, cpu);
    }

    private void resetStatements() {
        if (!statements) {
            return;
        }
        try (Statement st = monitor.createStatement()) {
            st.execute(
                    "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)");
        } catch (SQLException e) {
            // Older signature or no permission: the statement table then covers the whole trial.
        }
    }

    /** The most expensive statements of this database since the measurement started, top level and nested. */
    private List<Map<String, Object>> readStatements() {
        if (!statements) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        try (Statement st = monitor.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT toplevel, calls, total_exec_time, mean_exec_time, rows, wal_bytes,"
                                + " shared_blks_hit, shared_blks_read, query, plans, total_plan_time FROM pg_stat_statements"
                                + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                                + " AND query NOT ILIKE '%pg_stat_statements%' AND query NOT ILIKE '%pg_stat_activity%'"
                                + " AND query NOT ILIKE '%pg_current_wal_lsn%'"
                                + " ORDER BY total_exec_time + total_plan_time DESC LIMIT 12")) {
            while (rs.next()) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("toplevel", rs.getBoolean(1));
                s.put("calls", rs.getLong(2));
                s.put("total_ms", rs.getDouble(3));
                s.put("mean_ms", rs.getDouble(4));
                s.put("rows", rs.getLong(5));
                s.put(
                        "wal_bytes",
                        rs.getBigDecimal(6) == null ? 0 : rs.getBigDecimal(6).longValue());
                s.put("shared_blks_hit", rs.getLong(7));
                s.put("shared_blks_read", rs.getLong(8));
                String q = rs.getString(9).replaceAll("\\s+", " ").trim();
                s.put("query", q.length() > 220 ? q.substring(0, 220) + "..." : q);
                s.put("plans", rs.getLong(10));
                s.put("plan_ms", rs.getDouble(11));
                out.add(s);
            }
        } catch (SQLException e) {
            out.add(Map.of("error", String.valueOf(e.getMessage())));
        }
        return out;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        store.close();
        pool.close();
        closeQuietly(monitor);
        dropDatabase(adminUrl, name);
        if (ownServer != null) {
            ownServer.close();
        }
    }

    private static void dropDatabase(String adminUrl, String name) {
        try (Connection c = DriverManager.getConnection(adminUrl);
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("warning: could not drop benchmark database " + name + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(@Nullable Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

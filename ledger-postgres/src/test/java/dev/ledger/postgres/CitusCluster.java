package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension giving a test class a pool of connections to the coordinator of a real Citus cluster
 * ({@code -Dledger.test.citusUrl}, default the cluster of {@code ../shared/citus/cluster.sh} on localhost:9700) and
 * fresh schemas distributed on it, dropped after the class. When the cluster cannot be reached, or the database lacks
 * the citus extension or workers, the class fails with instructions: it never skips.
 *
 * <p>{@link #preparingSchemasAhead()} migrates and distributes the next test's schema on a background thread while a
 * test runs, and drops the schemas of finished tests there too: on Citus, creating a schema costs about 1.5 s, most of
 * a short test's time. Only for classes whose tests read nothing cluster-wide (prepared transactions, locks,
 * statistics), where those background transactions would show.
 */
final class CitusCluster implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    static final String DEFAULT_URL = "jdbc:postgresql://localhost:9700/postgres?user=postgres";

    private static final java.util.concurrent.atomic.AtomicInteger COUNT =
            new java.util.concurrent.atomic.AtomicInteger();

    private HikariDataSource pool;
    private String prefix;
    private final List<String> schemas = new ArrayList<>();
    private final List<PostgresLedgerStore> stores = new ArrayList<>();
    private final boolean prepareAhead;
    // (with prepareAhead) the background thread, and the next test's schema it is preparing
    private @Nullable ExecutorService background;
    private @Nullable Future<String> prepared;
    private @Nullable String preparing;
    private final List<Future<?>> drops = new ArrayList<>();

    CitusCluster() {
        this(false);
    }

    private CitusCluster(boolean prepareAhead) {
        this.prepareAhead = prepareAhead;
    }

    /** A cluster that prepares each next test's schema, and drops finished ones, in the background (class comment). */
    static CitusCluster preparingSchemasAhead() {
        return new CitusCluster(true);
    }

    static String url() {
        String url = System.getProperty("ledger.test.citusUrl", "").trim();
        return url.isEmpty() ? DEFAULT_URL : url;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        String url = url();
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_extension WHERE extname = 'citus'")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    throw new IllegalStateException(url + " has no citus extension: CREATE EXTENSION citus there, with"
                            + " workers added (../shared/citus/cluster.sh does both), or point -Dledger.test.citusUrl at a"
                            + " Citus coordinator");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM citus_get_active_worker_nodes()")) {
                rs.next();
                if (rs.getLong(1) < 2) {
                    throw new IllegalStateException(url + " has " + rs.getLong(1) + " active Citus workers; these tests"
                            + " need at least 2 (../shared/citus/cluster.sh starts a coordinator and 2 workers)");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot reach the Citus coordinator at " + url + " (" + e.getMessage()
                            + "). Start one: tar -xzf ../shared/citus/citus-*.tar.gz -C /tmp/citus && /tmp/citus/install.sh &&"
                            + " /tmp/citus/cluster.sh start /tmp/citus-data (see ../shared/citus/README.md and docs/scaling.md),"
                            + " or give -Dledger.test.citusUrl=jdbc:postgresql://host:port/db?user=...",
                    e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(40);
        config.setMinimumIdle(0);
        config.setPoolName("citus-test");
        // 4 shards a table rather than Citus's default 32: a test distributes a new schema, and every shard is a table
        // on a worker (still 2 per worker, so transfers cross nodes).
        config.setConnectionInitSql("SET citus.shard_count TO 4");
        pool = new HikariDataSource(config);
        prefix = ("ct_" + context.getRequiredTestClass().getSimpleName() + "_"
                        + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36))
                .toLowerCase(Locale.ROOT);
        if (prepareAhead) {
            background = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "citus-schemas-ahead");
                t.setDaemon(true);
                return t;
            });
            prepareNext();
        }
    }

    /** Starts migrating and distributing the next test's schema on the background thread. */
    private void prepareNext() {
        String schema = nextSchemaName();
        HikariDataSource p = pool;
        preparing = schema;
        prepared = Objects.requireNonNull(background).submit(() -> {
            PostgresLedgerStore.migrate(p, schema, true);
            return schema;
        });
    }

    /**
     * The schema prepared for this test (and the next one's preparation started), or null when it could not be
     * prepared: the test then migrates a schema of its own. Either way the name is dropped after the test.
     */
    private @Nullable String takePrepared() {
        Future<String> f = prepared;
        String schema = preparing;
        if (f == null || schema == null) {
            return null;
        }
        schemas.add(schema); // dropped after the test, even if its preparation failed half-way
        prepared = null;
        preparing = null;
        String ready;
        try {
            ready = f.get(5, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException e) {
            ready = null; // (a worker was briefly unreachable, say: the test migrates its own schema)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the prepared schema " + schema, e);
        }
        prepareNext();
        return ready;
    }

    /** Closes the test's stores and drops their schemas (their shards on the workers with them). */
    @Override
    public void afterEach(ExtensionContext context) throws SQLException {
        for (PostgresLedgerStore store : stores) {
            store.close();
        }
        stores.clear();
        // A coordinator session caches its connections to the workers: after a fault test killed or restarted a worker,
        // the pool's sessions would fail once each on a dead cached connection.
        pool.getHikariPoolMXBean().softEvictConnections();
        List<String> finished = List.copyOf(schemas);
        schemas.clear();
        if (background != null) {
            drops.add(background.submit(() -> {
                drop(finished);
                return null;
            }));
        } else {
            drop(finished);
        }
    }

    private void drop(List<String> finished) throws SQLException {
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement()) {
            for (String schema : finished) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException, InterruptedException {
        ExecutorService bg = background;
        try {
            if (bg != null) {
                // the queued drops, and the preparation no test took; then that schema too
                bg.shutdown();
                if (!bg.awaitTermination(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the background schema work did not finish within 5 minutes");
                }
                String unused = preparing;
                if (unused != null) {
                    drop(List.of(unused));
                }
                // a schema left behind slows every later test of the cluster (a rebalance moves its shards too)
                for (Future<?> d : drops) {
                    try {
                        d.get();
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("a finished test's schema was not dropped", e.getCause());
                    }
                }
            }
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
    }

    HikariDataSource pool() {
        return pool;
    }

    /** A new schema name, dropped (with its shards) after the test. */
    String newSchema() {
        String schema = nextSchemaName();
        schemas.add(schema);
        return schema;
    }

    /** A schema name of this class not used before. */
    private String nextSchemaName() {
        return prefix + "_" + COUNT.incrementAndGet();
    }

    /** A store on a new schema of the cluster, migrated and distributed, the background summariser off. */
    PostgresLedgerStore newStore() {
        return newStore(b -> b);
    }

    /** As {@link #newStore()}, the builder then adjusted by {@code settings}. */
    PostgresLedgerStore newStore(java.util.function.UnaryOperator<PostgresLedgerStore.Builder> settings) {
        String ready = takePrepared();
        String schema = ready != null ? ready : newSchema();
        PostgresLedgerStore store = settings.apply(PostgresLedgerStore.builder()
                        .dataSource(pool)
                        .schema(schema)
                        // (a prepared schema was migrated and distributed by the same Migrations.migrate; build()
                        // still checks it is current)
                        .migrateOnStart(ready == null)
                        .distributed(true)
                        .summarizeEvery(java.time.Duration.ZERO))
                .build();
        stores.add(store);
        return store;
    }

    /** The ports of the coordinator and of every active worker. */
    List<Integer> nodePorts() throws SQLException {
        List<Integer> ports = new ArrayList<>();
        ports.add(URI.create(url().substring("jdbc:".length())).getPort());
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT node_port FROM citus_get_active_worker_nodes() ORDER BY 1")) {
            while (rs.next()) {
                ports.add(rs.getInt(1));
            }
        }
        return ports;
    }

    /** A scalar from a node of the cluster (same host, user and database as the coordinator). */
    long onNode(int port, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(nodeUrl(port));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A text scalar from a node of the cluster. */
    String textOnNode(int port, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(nodeUrl(port));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The JDBC URL of a node: the coordinator's host, user and database, another port. */
    static String nodeUrl(int port) {
        URI uri = URI.create(url().substring("jdbc:".length()));
        return "jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getPath()
                + (uri.getQuery() == null ? "" : "?" + uri.getQuery());
    }

    /** Runs a statement on the coordinator. */
    void execute(String sql) throws SQLException {
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** A scalar from the coordinator. */
    long query(String sql) throws SQLException {
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The port of the worker holding the shard of {@code account} in {@code schema}. */
    int workerOf(String schema, String account) throws SQLException {
        return (int) query("SELECT n.nodeport FROM pg_dist_placement p JOIN pg_dist_node n ON n.groupid = p.groupid"
                + " WHERE p.shardid = get_shard_id_for_distribution_column('" + schema + ".account', '" + account
                + "')");
    }

    /** {@code pg_stat_database.deadlocks} of this database on every node. */
    Map<Integer, Long> deadlocks() throws SQLException {
        Map<Integer, Long> out = new HashMap<>();
        for (int port : nodePorts()) {
            out.put(port, onNode(port, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"));
        }
        return out;
    }

    /** No prepared transaction on any node, and no deadlock since {@code before}. */
    void assertNothingPreparedAndNoNewDeadlocks(Map<Integer, Long> before) throws SQLException {
        for (int port : nodePorts()) {
            assertEquals(0, onNode(port, "SELECT count(*) FROM pg_prepared_xacts"), "prepared on node " + port);
            assertEquals(
                    before.get(port),
                    onNode(port, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"),
                    "deadlocks on node " + port);
        }
    }
}

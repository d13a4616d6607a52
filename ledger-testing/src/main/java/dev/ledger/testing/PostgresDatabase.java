package dev.ledger.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives a test class its own database on the {@link PostgresServer}, dropped after the class,
 * a pool of admin connections to it, and fresh schema names on demand. After each test it closes what the test handed
 * to {@link #track(AutoCloseable)} (the stores it made) and fails the test if a pooled connection is still in use (a
 * leak).
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresDatabase DB = new PostgresDatabase();
 * ... var store = DB.track(PostgresLedgerStore.builder().dataSource(DB.dataSource())
 *         .schema(DB.newSchemaName()).migrateOnStart(true).build());
 * }</pre>
 *
 * <p>Not final: a store's own tests may extend it with their store's factory methods.
 */
public class PostgresDatabase implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private final int poolSize;
    private @Nullable PostgresServer server;
    private @Nullable String name;
    private @Nullable HikariDataSource dataSource;
    private final List<AutoCloseable> tracked = new ArrayList<>();

    /** A database with a pool of 40 connections. */
    public PostgresDatabase() {
        this(40);
    }

    /**
     * A database with a pool of {@code poolSize} connections.
     *
     * @throws IllegalArgumentException if {@code poolSize} is not positive
     */
    public PostgresDatabase(int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, got " + poolSize);
        }
        this.poolSize = poolSize;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        PostgresServer started = PostgresServer.get();
        server = started;
        String database = ("lt_" + context.getRequiredTestClass().getSimpleName() + "_"
                        + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36))
                .toLowerCase(Locale.ROOT);
        if (database.length() > 60) {
            database = database.substring(0, 60);
        }
        name = database;
        started.admin("CREATE DATABASE " + database);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(started.jdbcUrl(database));
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(0);
        config.setPoolName("test-" + database);
        config.setConnectionTimeout(10_000);
        dataSource = new HikariDataSource(config);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        synchronized (tracked) {
            for (AutoCloseable closeable : tracked) {
                closeable.close();
            }
            tracked.clear();
        }
        HikariDataSource pool = dataSource();
        int active = pool.getHikariPoolMXBean().getActiveConnections();
        for (int i = 0; i < 50 && active > 0; i++) {
            Thread.sleep(20); // connections being returned by threads that just finished
            active = pool.getHikariPoolMXBean().getActiveConnections();
        }
        if (active > 0) {
            throw new AssertionError(active + " pooled connection(s) still in use after the test: a connection leak");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (dataSource != null) {
            dataSource.close();
        }
        if (server != null && name != null) {
            server.admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /**
     * The server the database is on.
     *
     * @throws IllegalStateException before the extension has run for the test class
     */
    public PostgresServer server() {
        return started(server);
    }

    /** The database's name. */
    public String name() {
        return started(name);
    }

    /** A JDBC URL for this database, as the server's admin user. */
    public String jdbcUrl() {
        return server().jdbcUrl(name());
    }

    /** The pool of admin connections to this database. */
    public HikariDataSource dataSource() {
        return started(dataSource);
    }

    /** A new, unique schema name. */
    public String newSchemaName() {
        return "ledger_" + SCHEMAS.incrementAndGet();
    }

    /**
     * Closes {@code closeable} after the test (before the leak check).
     *
     * @param <T> its type
     * @param closeable a store, pool or anything else the test opened
     * @return {@code closeable}
     */
    public <T extends AutoCloseable> T track(T closeable) {
        synchronized (tracked) {
            tracked.add(closeable);
        }
        return closeable;
    }

    /**
     * Runs statements on this database as the admin user, in one session.
     *
     * @param statements the SQL statements, run in order
     * @throws SQLException the first statement's failure
     */
    public void sql(String... statements) throws SQLException {
        try (Connection c = dataSource().getConnection();
                Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /**
     * The first column of the first row of a query, as a long.
     *
     * @param sql the query
     * @return its first column
     * @throws SQLException the query's failure
     */
    public long queryLong(String sql) throws SQLException {
        try (Connection c = dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from " + sql);
            }
            return rs.getLong(1);
        }
    }

    /**
     * The SQLSTATE statements fail with, or null when they all succeed.
     *
     * @param statements the SQL statements, run in order in one session
     * @return the SQLSTATE of the first failure, or null
     */
    public @Nullable String sqlStateOf(String... statements) {
        try {
            sql(statements);
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private static <T> T started(@Nullable T value) {
        if (value == null) {
            throw new IllegalStateException("the database is not started: register the extension with"
                    + " @RegisterExtension on a static field");
        }
        return value;
    }
}

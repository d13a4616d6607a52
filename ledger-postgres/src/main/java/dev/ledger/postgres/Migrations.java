package dev.ledger.postgres;

import dev.ledger.core.LedgerUnavailableException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/** The Flyway migrations shipped in this jar, under {@value #LOCATION}. */
final class Migrations {
    static final String LOCATION = "classpath:dev/ledger/postgres/migration";
    /**
     * The version of the newest versioned migration in {@link #LOCATION}; a test keeps the two in step. Functions and
     * triggers are repeatable migrations ({@code R__*.sql}), applied again whenever they change.
     */
    static final int CURRENT_VERSION = 2;

    private Migrations() {}

    private static Flyway flyway(DataSource dataSource, String schema) {
        return Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(true)
                .locations(LOCATION)
                .table("flyway_schema_history")
                .failOnMissingLocations(true)
                .validateMigrationNaming(true)
                .cleanDisabled(true)
                .load();
    }

    /**
     * Applies the migrations; then, when {@code distribute} is set or the schema is already distributed, runs the
     * schema's {@code distribute()} (R__6_distribution.sql), which distributes its tables across the Citus cluster and
     * adapts the functions the repeatable migrations (re-)created.
     */
    static int migrate(DataSource dataSource, String schema, boolean distribute) {
        int applied;
        try {
            applied = flyway(dataSource, schema).migrate().migrationsExecuted;
        } catch (FlywayException e) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "migrating schema " + schema + " failed: " + e.getMessage(),
                    e);
        }
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            boolean distributed;
            try (ResultSet rs = st.executeQuery("SELECT distributed FROM " + schema + ".setting")) {
                distributed = rs.next() && rs.getBoolean(1);
            }
            if (distribute || distributed) {
                boolean autoCommit = c.getAutoCommit();
                c.setAutoCommit(false);
                try {
                    st.execute("SELECT " + schema + ".distribute()");
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(autoCommit);
                }
            }
        } catch (SQLException e) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "distributing schema " + schema + " failed: " + e.getMessage(),
                    e);
        }
        return applied;
    }

    /**
     * Fails unless every migration shipped in this jar is applied to the schema: the versioned ones up to
     * {@link #CURRENT_VERSION}, and the repeatable ones (functions and triggers) as they are in this jar. Reads
     * Flyway's history table only, so it works with a role that may only read it.
     */
    static void requireCurrent(DataSource dataSource, String schema) {
        MigrationInfo[] all;
        // Flyway opens more than one connection for info(); give it one, so that a pool of one connection works.
        try (Connection c = dataSource.getConnection()) {
            all = flyway(new OneConnection(c), schema).info().all();
        } catch (SQLException | FlywayException e) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "reading the migration state of schema " + schema + " failed: " + e.getMessage(),
                    e);
        }
        List<String> missing = new ArrayList<>();
        List<String> newer = new ArrayList<>();
        for (MigrationInfo m : all) {
            MigrationState state = m.getState();
            String name = m.getVersion() != null
                    ? "V" + m.getVersion() + " " + m.getDescription()
                    : "R " + m.getDescription();
            if (state == MigrationState.PENDING || state == MigrationState.OUTDATED || state.isFailed()) {
                missing.add(name + " (" + state.getDisplayName().toLowerCase(Locale.ROOT) + ")");
            } else if (!state.isResolved() && state.isApplied() && m.getVersion() != null) {
                newer.add(name);
            }
        }
        if (!newer.isEmpty()) {
            throw new IllegalStateException("schema " + schema + " has ledger migrations this library does not know, "
                    + newer + ": it was migrated by a newer version; upgrade the library");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("schema " + schema + " lacks the ledger migrations " + missing
                    + " of this library (version " + CURRENT_VERSION
                    + " and its functions): call PostgresLedgerStore.migrate()"
                    + " with a role that may create objects in it, or build the store with migrateOnStart(true)");
        }
    }

    /** A DataSource handing out one borrowed connection again and again; closing it is left to the borrower. */
    private static final class OneConnection implements DataSource {
        private final Connection connection;

        OneConnection(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Connection getConnection() {
            return (Connection) Proxy.newProxyInstance(
                    Migrations.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && method.getParameterCount() == 0) {
                            return null;
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String username, String password) {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return new PrintWriter(Writer.nullWriter());
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException("no parent logger");
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper of " + type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}

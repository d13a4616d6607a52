package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.TransferRequest;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The store never acknowledges a write it did not commit, whatever the pool's defaults: {@code build()} refuses
 * connections without auto-commit or outside READ COMMITTED, and a connection that changes after build() makes the call
 * fail with nothing recorded.
 */
class PoolSettingsTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(8);

    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");

    /** A HikariCP pool on the test database as the admin user; closed by the caller. */
    private static HikariDataSource pool(java.util.function.Consumer<HikariConfig> settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(DB.jdbcUrl());
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(5_000);
        settings.accept(config);
        return new HikariDataSource(config);
    }

    private static String migratedSchema() {
        String schema = DB.newSchemaName();
        PostgresLedgerStore.migrate(DB.dataSource(), schema);
        return schema;
    }

    private static PostgresLedgerStore.Builder storeOn(DataSource ds, String schema) {
        return PostgresLedgerStore.builder().dataSource(ds).schema(schema).summarizeEvery(Duration.ZERO);
    }

    @Test
    void build_poolWithAutoCommitOff_isRefusedWithWhatToChange() {
        String schema = migratedSchema();
        try (HikariDataSource ds = pool(c -> c.setAutoCommit(false))) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> storeOn(ds, schema).build());
            assertTrue(
                    e.getMessage().contains("autoCommit=false")
                            && e.getMessage().contains("setAutoCommit(true)"),
                    e.getMessage());
            assertEquals(0, ds.getHikariPoolMXBean().getActiveConnections(), "the checked connection was returned");
        }
    }

    @Test
    void build_poolWithRepeatableReadDefault_isRefused() {
        String schema = migratedSchema();
        try (HikariDataSource ds = pool(c -> c.setTransactionIsolation("TRANSACTION_REPEATABLE_READ"))) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> storeOn(ds, schema).build());
            assertTrue(
                    e.getMessage().contains("REPEATABLE READ")
                            && e.getMessage().contains("READ COMMITTED")
                            && e.getMessage().contains("setTransactionIsolation"),
                    e.getMessage());
        }
        try (HikariDataSource ds = pool(c -> c.setTransactionIsolation("TRANSACTION_SERIALIZABLE"))) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> storeOn(ds, schema).build());
            assertTrue(e.getMessage().contains("SERIALIZABLE"), e.getMessage());
        }
        try (HikariDataSource ds = pool(c -> c.setTransactionIsolation("TRANSACTION_READ_COMMITTED"))) {
            storeOn(ds, schema).build().close();
        }
    }

    /**
     * A server-side default (ALTER DATABASE) is refused with the ALTER ROLE that fixes it, and that statement, run as
     * the message says, is enough for build() to succeed.
     */
    @Test
    void build_roleDefaultRepeatableRead_isRefused() throws SQLException {
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        String role = "pool_app_" + suffix;
        String database = ("lt_pool_rr_" + suffix).toLowerCase(Locale.ROOT);
        String password = "pw-" + suffix;
        String url =
                DB.server().jdbcUrl(database).replaceFirst("\\?.*$", "") + "?user=" + role + "&password=" + password;
        DB.server().admin("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'", "CREATE DATABASE " + database);
        try {
            PGSimpleDataSource admin = new PGSimpleDataSource();
            admin.setURL(DB.server().jdbcUrl(database));
            PostgresLedgerStore.migrate(admin, PostgresLedgerStore.DEFAULT_SCHEMA);
            try (Connection c = admin.getConnection();
                    Statement st = c.createStatement()) {
                st.execute("GRANT USAGE ON SCHEMA ledger TO " + role);
                st.execute("GRANT SELECT ON ALL TABLES IN SCHEMA ledger TO " + role);
                st.execute("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ledger TO " + role);
            }
            DB.server().admin("ALTER ROLE " + role + " SET default_transaction_isolation = 'repeatable read'");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> PostgresLedgerStore.builder()
                    .jdbcUrl(url)
                    .summarizeEvery(Duration.ZERO)
                    .build());
            assertTrue(
                    e.getMessage().contains("REPEATABLE READ")
                            && e.getMessage()
                                    .contains("ALTER ROLE " + role
                                            + " SET default_transaction_isolation = 'read committed'"),
                    e.getMessage());

            DB.server()
                    .admin(
                            "ALTER ROLE " + role + " RESET default_transaction_isolation",
                            "ALTER DATABASE " + database + " SET default_transaction_isolation = 'serializable'");
            e = assertThrows(IllegalStateException.class, () -> PostgresLedgerStore.builder()
                    .jdbcUrl(url)
                    .summarizeEvery(Duration.ZERO)
                    .build());
            assertTrue(e.getMessage().contains("SERIALIZABLE"), e.getMessage());

            // The message's advice, as written, fixes it: the role's setting overrides the database's.
            DB.server().admin("ALTER ROLE " + role + " SET default_transaction_isolation = 'read committed'");
            try (PostgresLedgerStore store = PostgresLedgerStore.builder()
                            .jdbcUrl(url)
                            .summarizeEvery(Duration.ZERO)
                            .build();
                    Ledger ledger = Ledger.builder(store).build()) {
                ledger.open(NewAccount.issuer(BANK, "USD"));
                ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(10, BANK));
                assertEquals(10, ledger.balance(ALICE));
            }
        } finally {
            DB.server().admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)", "DROP ROLE IF EXISTS " + role);
        }
    }

    /**
     * A refused connection goes back as it came: checked through a DataSource that hands out one physical connection
     * and never resets it (as a pool without reset-on-return would).
     */
    @Test
    void build_refusedConnection_isLeftAsItCame() throws Exception {
        String schema = migratedSchema();
        try (Connection physical = DB.server().connect(DB.name())) {
            physical.setAutoCommit(false);
            assertThrows(IllegalStateException.class, () -> storeOn(unclosable(physical), schema)
                    .build());
            assertFalse(physical.getAutoCommit());
            assertEquals(
                    TransactionState.IDLE,
                    physical.unwrap(BaseConnection.class).getTransactionState(),
                    "the check opened a transaction on a connection without auto-commit");

            physical.setAutoCommit(true);
            physical.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            assertThrows(IllegalStateException.class, () -> storeOn(unclosable(physical), schema)
                    .build());
            assertTrue(physical.getAutoCommit());
            assertEquals(Connection.TRANSACTION_REPEATABLE_READ, physical.getTransactionIsolation());
            assertEquals(
                    TransactionState.IDLE, physical.unwrap(BaseConnection.class).getTransactionState());
        }
    }

    @Test
    void transfer_connectionTurnsAutoCommitOffAfterBuild_recordsNothingAndSaysSo() throws SQLException {
        String schema = migratedSchema();
        Switchable ds = new Switchable(DB.dataSource());
        Ledger ledger = Ledger.builder(DB.track(storeOn(ds, schema).build())).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(100, BANK));
        ledger.open(NewAccount.of(BOB, "USD"));

        ds.autoCommitOff = true;
        UUID id = UUID.randomUUID();
        LedgerUnavailableException e = assertThrows(
                LedgerUnavailableException.class,
                () -> ledger.transfer(TransferRequest.of(ALICE, BOB, 40, "USD").withId(id)));
        assertEquals(LedgerUnavailableException.Kind.STORE_UNAVAILABLE, e.kind(), e.getMessage());
        assertEquals(id, e.transferId());
        assertTrue(
                e.getMessage().contains("auto-commit off") && e.getMessage().contains("nothing was recorded"),
                e.getMessage());
        assertEquals(0, DB.queryLong("SELECT count(*) FROM " + schema + ".transfer WHERE id = '" + id + "'"));
        assertEquals(1, DB.queryLong("SELECT count(*) FROM " + schema + ".transfer"), "only the opening balance");

        ds.autoCommitOff = false;
        assertEquals(
                id,
                ledger.transfer(TransferRequest.of(ALICE, BOB, 40, "USD").withId(id))
                        .id());
        assertEquals(1, DB.queryLong("SELECT count(*) FROM " + schema + ".transfer WHERE id = '" + id + "'"));
    }

    /** Whatever open does on a connection without auto-commit, a success is visible to everyone else. */
    @Test
    void open_connectionWithAutoCommitOff_commitsOrRefuses() throws SQLException {
        String schema = migratedSchema();
        Switchable ds = new Switchable(DB.dataSource());
        Ledger ledger = Ledger.builder(DB.track(storeOn(ds, schema).build())).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));

        ds.autoCommitOff = true;
        UUID funding = UUID.randomUUID();
        try {
            Account opened = ledger.open(
                    NewAccount.of(ALICE, "USD").withOpeningBalance(100, BANK).withFundingTransferId(funding));
            assertEquals(ALICE, opened.id());
            assertEquals(
                    1,
                    DB.queryLong("SELECT count(*) FROM " + schema + ".account WHERE id = 'alice'"),
                    "open returned the account but it is not committed");
            assertEquals(
                    1,
                    DB.queryLong("SELECT count(*) FROM " + schema + ".transfer WHERE id = '" + funding + "'"),
                    "open returned the account but its opening balance is not committed");
        } catch (LedgerUnavailableException e) {
            assertEquals(LedgerUnavailableException.Kind.STORE_UNAVAILABLE, e.kind(), e.getMessage());
            assertEquals(funding, e.transferId());
            assertTrue(e.getMessage().contains("nothing was recorded"), e.getMessage());
            assertEquals(0, DB.queryLong("SELECT count(*) FROM " + schema + ".account WHERE id = 'alice'"));
            assertEquals(0, DB.queryLong("SELECT count(*) FROM " + schema + ".transfer"));
        }
    }

    @Test
    void transfer_connectionAtRepeatableReadAfterBuild_isRefusedSayingNothingWasRecorded() throws SQLException {
        String schema = migratedSchema();
        Switchable ds = new Switchable(DB.dataSource());
        Ledger ledger = Ledger.builder(DB.track(storeOn(ds, schema).build())).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(BOB, "USD"));

        ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(100, BANK));

        ds.repeatableRead = true;
        UUID funding = UUID.randomUUID();
        LedgerUnavailableException refusedOpen = assertThrows(
                LedgerUnavailableException.class,
                () -> ledger.open(NewAccount.of(AccountId.of("carol"), "USD")
                        .withOpeningBalance(5, BANK)
                        .withFundingTransferId(funding)));
        assertEquals(LedgerUnavailableException.Kind.STORE_UNAVAILABLE, refusedOpen.kind(), refusedOpen.getMessage());
        assertTrue(refusedOpen.getMessage().contains("nothing was recorded"), refusedOpen.getMessage());
        assertEquals(0, DB.queryLong("SELECT count(*) FROM " + schema + ".account WHERE id = 'carol'"));
        UUID id = UUID.randomUUID();
        LedgerUnavailableException e = assertThrows(
                LedgerUnavailableException.class,
                () -> ledger.transfer(TransferRequest.of(ALICE, BOB, 40, "USD").withId(id)));
        assertEquals(LedgerUnavailableException.Kind.STORE_UNAVAILABLE, e.kind(), e.getMessage());
        assertEquals(id, e.transferId());
        assertTrue(
                e.getMessage().contains("repeatable read")
                        && e.getMessage().contains("READ COMMITTED")
                        && e.getMessage().contains("nothing was recorded"),
                e.getMessage());
        assertEquals(0, DB.queryLong("SELECT count(*) FROM " + schema + ".transfer WHERE id = '" + id + "'"));
        assertEquals(100, ledger.balance(ALICE));
    }

    /**
     * The summariser switches auto-commit off for its own transactions; it must switch it back, or a pool that does not
     * reset connections on return would hand the next user a connection whose writes are never committed.
     */
    @Test
    void summarize_onPoolThatDoesNotReset_leavesConnectionAsItCame() throws Exception {
        String schema = migratedSchema();
        try (Connection physical = DB.server().connect(DB.name())) {
            PostgresLedgerStore store = DB.track(storeOn(unclosable(physical), schema)
                    .sealLag(Duration.ofMillis(1))
                    .build());
            Ledger ledger = Ledger.builder(store).build();
            ledger.open(NewAccount.issuer(BANK, "USD"));
            ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(100, BANK));
            Thread.sleep(5);
            store.summarize();
            assertTrue(physical.getAutoCommit(), "the summariser left auto-commit off");
            assertEquals(Connection.TRANSACTION_READ_COMMITTED, physical.getTransactionIsolation());
            assertEquals(
                    TransactionState.IDLE, physical.unwrap(BaseConnection.class).getTransactionState());
            ledger.transfer(ALICE, BANK, 10, "USD");
            assertEquals(2, DB.queryLong("SELECT count(*) FROM " + schema + ".transfer"));
        }
    }

    /** A connection whose close() does nothing, so that the test sees the state the store left it in. */
    private static DataSource unclosable(Connection physical) {
        Connection handle = (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(physical, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new Delegating(null) {
            @Override
            public Connection getConnection() {
                return handle;
            }
        };
    }

    /** The pool's connections, switched to auto-commit off or REPEATABLE READ on demand (the pool resets them). */
    private static final class Switchable extends Delegating {
        volatile boolean autoCommitOff;
        volatile boolean repeatableRead;

        Switchable(DataSource delegate) {
            super(delegate);
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = super.getConnection();
            try {
                if (autoCommitOff) {
                    c.setAutoCommit(false);
                }
                if (repeatableRead) {
                    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                }
                return c;
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }

    private static class Delegating implements DataSource {
        private final DataSource delegate;

        Delegating(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
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
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}

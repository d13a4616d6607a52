package dev.ledger.postgres;

import dev.ledger.core.LedgerUnavailableException;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.jdbc.PreferQueryMode;
import org.postgresql.util.DriverInfo;

/** Start-up checks of the driver, the connection settings and the server. */
final class Connections {
    private static final System.Logger LOG = System.getLogger(PostgresLedgerStore.class.getName());
    /** Durability warnings already given, so each appears once per JVM however many stores start. */
    private static final java.util.Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The oldest pgjdbc release accepted: 42.7.2 fixed SQL injection in the simple query mode (CVE-2024-1597). */
    static final int[] MIN_DRIVER = {42, 7, 2};
    /** xid8 and pg_current_xact_id() arrived in PostgreSQL 13. */
    static final int MIN_SERVER_VERSION_NUM = 130000;
    /** The only isolation level the schema's guard accepts for a transfer (as {@code transaction_isolation}). */
    static final String READ_COMMITTED = "read committed";

    private Connections() {}

    static void requireSupportedDriver() {
        int[] have = {DriverInfo.MAJOR_VERSION, DriverInfo.MINOR_VERSION, DriverInfo.PATCH_VERSION};
        for (int i = 0; i < 3; i++) {
            if (have[i] != MIN_DRIVER[i]) {
                if (have[i] < MIN_DRIVER[i]) {
                    throw new IllegalStateException("PostgreSQL JDBC driver " + DriverInfo.DRIVER_VERSION
                            + " is too old: the ledger needs 42.7.2 or later (earlier versions allow SQL injection in simple query"
                            + " mode, CVE-2024-1597); upgrade org.postgresql:postgresql");
                }
                return;
            }
        }
    }

    static void rejectSimpleQueryMode(String jdbcUrl) {
        String lower = jdbcUrl.toLowerCase(Locale.ROOT);
        if (lower.matches(".*[?&]preferquerymode=simple(&.*|$)")) {
            throw new IllegalArgumentException("preferQueryMode=simple is refused: it inlines parameters into SQL text;"
                    + " remove it from the JDBC URL (the default, extended, is required)");
        }
    }

    /**
     * Connects once: checks query mode, auto-commit, the isolation of auto-commit statements and the server version,
     * and warns when durability settings are off. Changes nothing on the connection: it goes back to the pool as it
     * came (the checks that refuse it run before any statement, or in a statement of its own).
     */
    static void checkConnection(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            if (connection.isWrapperFor(PGConnection.class)
                    && connection.unwrap(PGConnection.class).getPreferQueryMode() == PreferQueryMode.SIMPLE) {
                throw new IllegalStateException(
                        "the DataSource's connections use preferQueryMode=simple, which inlines"
                                + " parameters into SQL text; the ledger requires the extended protocol (the driver's default)");
            }
            if (!connection.getAutoCommit()) {
                // Checked before running anything, so that no transaction is left open on the pool's connection.
                throw new IllegalStateException("the DataSource's connections have autoCommit=false; the ledger commits"
                        + " each write itself and needs auto-commit connections (with autoCommit=false a pool rolls the"
                        + " writes back when they are returned): set autoCommit=true on your pool"
                        + " (HikariConfig.setAutoCommit(true), the default)");
            }
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int,"
                            + " current_setting('fsync'), current_setting('synchronous_commit'),"
                            + " current_setting('transaction_isolation'), quote_ident(current_user)")) {
                rs.next();
                int version = rs.getInt(1);
                if (version < MIN_SERVER_VERSION_NUM) {
                    throw new IllegalStateException("PostgreSQL server_version_num " + version
                            + " is too old: the ledger needs PostgreSQL 13 or later");
                }
                // In auto-commit mode the statement ran in a transaction of its own: its isolation is the one every
                // transfer would get.
                String isolation = rs.getString(4);
                if (!READ_COMMITTED.equals(isolation)) {
                    throw new IllegalStateException(
                            "the DataSource's connections run auto-commit statements at isolation"
                                    + " level " + isolation.toUpperCase(Locale.ROOT) + " (transaction_isolation = '"
                                    + isolation
                                    + "'); the ledger records transfers under READ COMMITTED and the database refuses them otherwise:"
                                    + " use READ COMMITTED on your pool (remove HikariConfig.setTransactionIsolation or set it to"
                                    + " TRANSACTION_READ_COMMITTED; the same for defaultTransactionIsolation in other pools) and as the"
                                    + " server default for the role (ALTER ROLE " + rs.getString(5)
                                    + " SET default_transaction_isolation = 'read committed', which also overrides an ALTER DATABASE"
                                    + " setting; new sessions pick it up)");
                }
                if (!"on".equals(rs.getString(2)) && WARNED.add("fsync")) {
                    LOG.log(
                            Level.WARNING,
                            "PostgreSQL fsync is {0}: a crash of the server can lose or corrupt recorded"
                                    + " transfers; never run a ledger like this outside tests",
                            rs.getString(2));
                }
                if (("off".equals(rs.getString(3)) || "local".equals(rs.getString(3)))
                        && WARNED.add("synchronous_commit")) {
                    LOG.log(
                            Level.WARNING,
                            "PostgreSQL synchronous_commit is {0}: a transfer acknowledged to the caller can"
                                    + " be lost if the server crashes",
                            rs.getString(3));
                }
            }
        } catch (SQLException e) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE, "cannot use the database: " + e.getMessage(), e);
        }
    }
}

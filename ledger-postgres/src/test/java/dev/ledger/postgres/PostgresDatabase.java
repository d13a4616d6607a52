package dev.ledger.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives a test class its own database on the {@link PostgresServer}, dropped after
 * the class, and fresh migrated schemas on demand. After each test it closes the stores the test made and
 * fails the test if a pooled connection is still in use (a leak).
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresDatabase DB = new PostgresDatabase();
 * ... PostgresLedgerStore store = DB.newStore();
 * }</pre>
 */
public final class PostgresDatabase implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  private final int poolSize;
  private PostgresServer server;
  private String name;
  private HikariDataSource dataSource;
  private final List<PostgresLedgerStore> stores = new ArrayList<>();

  public PostgresDatabase() {
    this(40);
  }

  public PostgresDatabase(int poolSize) {
    this.poolSize = poolSize;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = PostgresServer.get();
    name = ("lt_" + context.getRequiredTestClass().getSimpleName() + "_"
        + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)).toLowerCase(Locale.ROOT);
    if (name.length() > 60) {
      name = name.substring(0, 60);
    }
    server.admin("CREATE DATABASE " + name);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.jdbcUrl(name));
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(0);
    config.setPoolName("test-" + name);
    config.setConnectionTimeout(10_000);
    dataSource = new HikariDataSource(config);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    synchronized (stores) {
      for (PostgresLedgerStore store : stores) {
        store.close();
      }
      stores.clear();
    }
    int active = dataSource.getHikariPoolMXBean().getActiveConnections();
    for (int i = 0; i < 50 && active > 0; i++) {
      Thread.sleep(20); // connections being returned by threads that just finished
      active = dataSource.getHikariPoolMXBean().getActiveConnections();
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
    if (name != null) {
      server.admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }

  public PostgresServer server() {
    return server;
  }

  /** The database's name. */
  public String name() {
    return name;
  }

  /** A JDBC URL for this database, as the server's admin user. */
  public String jdbcUrl() {
    return server.jdbcUrl(name);
  }

  /** The pool of admin connections to this database, shared by the stores from {@link #newStore()}. */
  public HikariDataSource dataSource() {
    return dataSource;
  }

  /** A new, unique schema name. */
  public String newSchemaName() {
    return "ledger_" + SCHEMAS.incrementAndGet();
  }

  /** A store on a new, migrated schema, closed after the test. */
  public PostgresLedgerStore newStore() {
    return newStore(newSchemaName());
  }

  /** A store on the given schema (migrated on start), closed after the test. */
  public PostgresLedgerStore newStore(String schema) {
    return track(PostgresLedgerStore.builder().dataSource(dataSource).schema(schema).migrateOnStart(true)
        .summarizeEvery(Duration.ZERO).build());
  }

  /** Closes {@code store} after the test. */
  public PostgresLedgerStore track(PostgresLedgerStore store) {
    synchronized (stores) {
      stores.add(store);
    }
    return store;
  }

  /** Runs statements on this database as the admin user, in one session. */
  /** Waits until a call of the schema's append_transfers waits for a lock (another session holds it). */
  public void awaitAppendWaitingOnALock(String schema) throws Exception {
    for (int i = 0; i < 500; i++) {
      if (queryLong("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%"
          + schema + ".append_transfers%'") > 0) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no call of " + schema + ".append_transfers waited for a lock within 5 s");
  }

  /**
   * For a fixture that writes transfer rows straight into the table as the owner (as only the owner can): the
   * statement that gives each transfer without its credit row that row (what append_transfers writes with it).
   */
  public static String creditRowsOf(String schema) {
    return "INSERT INTO " + schema + ".credit (account, recorded_at, id, amount, source, source_index, currency,"
        + " reference) SELECT t.destination, t.recorded_at, t.id, t.amount, t.source, t.source_index, t.currency,"
        + " t.reference FROM " + schema + ".transfer t WHERE NOT EXISTS (SELECT 1 FROM " + schema
        + ".credit c WHERE c.id = t.id)";
  }

  public void sql(String... statements) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  /** The first column of the first row of a query, as a long. */
  public long queryLong(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        throw new AssertionError("no row from " + sql);
      }
      return rs.getLong(1);
    }
  }

  /** The SQLSTATE a statement fails with, or null when it succeeds. */
  public String sqlStateOf(String... statements) {
    try {
      sql(statements);
      return null;
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }
}

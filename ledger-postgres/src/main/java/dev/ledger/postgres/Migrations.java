package dev.ledger.postgres;

import dev.ledger.core.LedgerUnavailableException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** The Flyway migrations shipped in this jar, under {@value #LOCATION}. */
final class Migrations {
  static final String LOCATION = "classpath:dev/ledger/postgres/migration";
  /** The version of the newest migration in {@link #LOCATION}; a test keeps the two in step. */
  static final int CURRENT_VERSION = 5;

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

  static int migrate(DataSource dataSource, String schema) {
    try {
      return flyway(dataSource, schema).migrate().migrationsExecuted;
    } catch (FlywayException e) {
      throw new LedgerUnavailableException(LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
          "migrating schema " + schema + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Fails unless the schema is at {@link #CURRENT_VERSION}. Reads Flyway's history table with one query on one
   * connection, so it works on any pool size and with a role that may only SELECT and INSERT.
   */
  static void requireCurrent(DataSource dataSource, String schema) {
    String sql = "SELECT version FROM " + schema + ".flyway_schema_history WHERE success AND version IS NOT NULL";
    int applied = 0;
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + schema + ".flyway_schema_history') IS NOT NULL")) {
        rs.next();
        if (rs.getBoolean(1)) {
          try (ResultSet versions = st.executeQuery(sql)) {
            while (versions.next()) {
              applied = Math.max(applied, Integer.parseInt(versions.getString(1)));
            }
          }
        }
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException(LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
          "reading the migration state of schema " + schema + " failed: " + e.getMessage(), e);
    }
    if (applied < CURRENT_VERSION) {
      throw new IllegalStateException("schema " + schema + " is at ledger migration version " + applied
          + ", this library needs version " + CURRENT_VERSION + ": call PostgresLedgerStore.migrate() with a role"
          + " that may create objects in it, or build the store with migrateOnStart(true)");
    }
    if (applied > CURRENT_VERSION) {
      throw new IllegalStateException("schema " + schema + " is at ledger migration version " + applied
          + ", newer than this library's " + CURRENT_VERSION + ": upgrade the library");
    }
  }
}

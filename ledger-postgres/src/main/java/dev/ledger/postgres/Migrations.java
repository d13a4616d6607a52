package dev.ledger.postgres;

import dev.ledger.core.LedgerUnavailableException;
import java.util.Arrays;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;

/** The Flyway migrations shipped in this jar, under {@value #LOCATION}. */
final class Migrations {
  static final String LOCATION = "classpath:dev/ledger/postgres/migration";

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

  /** Fails unless every shipped migration has been applied to the schema. */
  static void requireCurrent(DataSource dataSource, String schema) {
    MigrationInfo[] pending;
    try {
      pending = flyway(dataSource, schema).info().pending();
    } catch (FlywayException e) {
      throw new LedgerUnavailableException(LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
          "reading the migration state of schema " + schema + " failed: " + e.getMessage(), e);
    }
    if (pending.length > 0) {
      throw new IllegalStateException("schema " + schema + " lacks ledger migrations "
          + Arrays.stream(pending).map(m -> String.valueOf(m.getVersion())).collect(Collectors.joining(", "))
          + ": call PostgresLedgerStore.migrate() with a role that may create objects in it, or build the store"
          + " with migrateOnStart(true)");
    }
  }
}

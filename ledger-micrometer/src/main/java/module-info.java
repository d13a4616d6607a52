/**
 * Micrometer meters and observations for the ledger ({@link dev.ledger.micrometer.LedgerMetrics}) and for the
 * PostgreSQL store's summariser and pool ({@link dev.ledger.micrometer.PostgresStoreMetrics}).
 */
// micrometer.core and micrometer.observation are automatic modules, named by their manifests.
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.ledger.micrometer {
  requires transitive dev.ledger.core;
  requires transitive micrometer.core;
  requires transitive micrometer.observation;
  // Only PostgresStoreMetrics needs these; applications that use it have them already (HikariCP-style optional).
  requires static transitive dev.ledger.postgres;
  requires static com.zaxxer.hikari;
  requires static transitive org.jspecify;

  exports dev.ledger.micrometer;
}

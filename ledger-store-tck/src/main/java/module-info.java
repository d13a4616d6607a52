/**
 * The store TCK: {@link dev.ledger.tck.LedgerStoreContractTest}, the suite every store passes, and the tools it is
 * built from. A store's tests read this module, JUnit Jupiter's API and the ledger's core through it.
 */
// dev.ledger.testing is an automatic module (its manifest names it; it depends on jars without module names).
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.ledger.tck {
  requires transitive dev.ledger.core;
  requires transitive dev.ledger.testing;
  requires transitive org.junit.jupiter.api;
  requires static transitive org.jspecify;

  exports dev.ledger.tck;
  // JUnit calls the suite's lifecycle methods and default test methods reflectively.
  opens dev.ledger.tck to org.junit.platform.commons;
}

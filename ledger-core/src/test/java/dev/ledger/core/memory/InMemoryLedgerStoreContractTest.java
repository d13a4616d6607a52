package dev.ledger.core.memory;

import dev.ledger.core.contract.LedgerStoreContractTest;
import dev.ledger.core.spi.LedgerStore;

/** The in-memory store passes the store contract. */
class InMemoryLedgerStoreContractTest extends LedgerStoreContractTest {
  @Override
  protected LedgerStore newStore() {
    return new InMemoryLedgerStore();
  }
}

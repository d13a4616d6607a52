package dev.ledger.tck.memory;

import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.tck.LedgerStoreContractTest;

/** The in-memory store passes the store contract. */
class InMemoryLedgerStoreContractTest extends LedgerStoreContractTest {
    @Override
    protected LedgerStore newStore() {
        return new InMemoryLedgerStore();
    }
}

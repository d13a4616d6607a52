package dev.ledger.tck.memory;

import dev.ledger.core.Coalescing;
import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.tck.LedgerStoreContractTest;

/** The in-memory store passes the store contract with every transfer going through coalesced batches. */
class InMemoryCoalescingContractTest extends LedgerStoreContractTest {
    @Override
    protected LedgerStore newStore() {
        return new InMemoryLedgerStore();
    }

    @Override
    protected Coalescing coalescing() {
        return Coalescing.natural(64, 2);
    }
}

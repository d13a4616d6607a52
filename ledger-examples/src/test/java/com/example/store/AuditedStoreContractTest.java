package com.example.store;

import dev.ledger.core.spi.LedgerStore;
import dev.ledger.tck.LedgerStoreContractTest;

/**
 * How a store outside this repository runs the TCK: depend on {@code dev.ledger:ledger-store-tck} in test scope and
 * subclass {@link LedgerStoreContractTest}; every test of the contract then runs on the store, with the invariants and
 * {@code verify()} checked after each.
 */
// tag::tck[]
class AuditedStoreContractTest extends LedgerStoreContractTest {
    @Override
    protected LedgerStore newStore() {
        return new AuditedStore();
    }
}
// end::tck[]

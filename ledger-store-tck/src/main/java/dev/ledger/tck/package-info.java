/**
 * The store contract kit: {@link dev.ledger.tck.LedgerStoreContractTest}, the abstract JUnit 5 suite every
 * {@link dev.ledger.core.spi.LedgerStore} must pass (subclass it and return a new store), the model-based run against
 * {@link dev.ledger.tck.ReferenceLedger}, {@link dev.ledger.tck.LedgerInvariants} checked after every test,
 * {@link dev.ledger.tck.ApiFuzzer} (seeded random and malformed calls of the public API) and
 * {@link dev.ledger.tck.ForwardingLedgerStore} for wrappers that watch or script a store.
 */
@NullMarked
package dev.ledger.tck;

import org.jspecify.annotations.NullMarked;

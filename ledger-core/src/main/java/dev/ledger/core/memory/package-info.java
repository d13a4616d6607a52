/**
 * {@link dev.ledger.core.memory.InMemoryLedgerStore}: the embedded default store and the reference model of the port.
 */
@NullMarked
package dev.ledger.core.memory;

import org.jspecify.annotations.NullMarked;

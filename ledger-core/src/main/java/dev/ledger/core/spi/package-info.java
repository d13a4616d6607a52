/**
 * The port a store implements ({@link dev.ledger.core.spi.LedgerStore}) and the values it exchanges with the ledger.
 */
@NullMarked
package dev.ledger.core.spi;

import org.jspecify.annotations.NullMarked;

/** The ledger's API: {@link dev.ledger.core.Ledger}, the one entry point, and the values it takes and returns. */
@NullMarked
package dev.ledger.core;

import org.jspecify.annotations.NullMarked;

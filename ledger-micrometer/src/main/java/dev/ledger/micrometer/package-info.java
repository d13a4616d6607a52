/** Micrometer meters and observations for the ledger, the PostgreSQL store's summariser and its pool. */
@NullMarked
package dev.ledger.micrometer;

import org.jspecify.annotations.NullMarked;

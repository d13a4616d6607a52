/** {@link dev.ledger.postgres.PostgresLedgerStore}: the PostgreSQL store, whose database enforces every rule. */
@NullMarked
package dev.ledger.postgres;

import org.jspecify.annotations.NullMarked;

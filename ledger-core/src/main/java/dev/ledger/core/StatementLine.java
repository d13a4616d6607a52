package dev.ledger.core;

import dev.ledger.core.internal.Checks;

/**
 * One line of an account's statement.
 *
 * @param transfer the transfer
 * @param change its effect on the account's balance: {@code -amount} when the account is the source,
 *     {@code +amount} when it is the destination
 * @param balanceAfter the account's balance just after this line: over every transfer of the account ordered at
 *     or before it (by recorded time, then transfer id); for the newest line, the balance now
 */
public record StatementLine(Transfer transfer, long change, long balanceAfter) {
  public StatementLine {
    Checks.present(transfer, "transfer");
  }

  /** Whether the account was debited by this line. */
  public boolean isDebit() {
    return change < 0;
  }

  /** This line's position, for keyset paging. */
  public StatementCursor cursor() {
    return StatementCursor.of(transfer);
  }
}

package dev.ledger.core;

/**
 * One line of an account's statement.
 *
 * @param transfer the transfer
 * @param change its effect on the account's balance: {@code -amount} when the account is the source,
 *     {@code +amount} when it is the destination
 */
public record StatementLine(Transfer transfer, long change) {
  public StatementLine {
    dev.ledger.core.internal.Checks.present(transfer, "transfer");
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

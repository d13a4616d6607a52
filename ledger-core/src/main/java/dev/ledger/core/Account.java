package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import java.time.Instant;

/**
 * An account. Accounts are immutable once opened and are never closed or deleted.
 *
 * @param id the account's id
 * @param currency the currency or asset code every transfer of this account is in, e.g. {@code USD}
 * @param issuer whether the account may go negative: an issuer is where money enters the ledger (the seed's
 *     service account); an ordinary account can never spend more than it holds
 * @param openedAt when the account was opened, to the microsecond
 */
public record Account(AccountId id, String currency, boolean issuer, Instant openedAt) {
  /** @throws LedgerRejectedException when a value is missing or malformed */
  public Account {
    Checks.present(id, "account id");
    Checks.currency(currency, "currency of account " + id);
    openedAt = Checks.storedInstant(openedAt, "openedAt of account " + id);
  }
}

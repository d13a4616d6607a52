package dev.ledger.core.spi;

import dev.ledger.core.AccountId;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.internal.Checks;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A transfer the {@code Ledger} asks a store to append: everything but the source index, which the store
 * assigns in the attempt, and the final recorded time.
 *
 * @param id the transfer id (idempotency key)
 * @param source the account to debit
 * @param destination the account to credit
 * @param amount in minor units, greater than zero
 * @param currency the currency the caller means
 * @param reference optional text
 * @param metadata the request's metadata (validated, unmodifiable, in key order; empty when none)
 * @param notBefore the ledger clock's reading for this attempt, to the microsecond; the store records
 *     {@code max(notBefore, the latest recordedAt among the source's debits, one microsecond after the latest
 *     recordedAt among its credits)}, as the attempt's snapshot sees them, so that a debit is dated strictly
 *     after every credit it may spend (and a statement never shows a debit before the credit that funded it)
 */
public record TransferDraft(
    UUID id,
    AccountId source,
    AccountId destination,
    long amount,
    String currency,
    @Nullable String reference,
    Instant notBefore,
    Map<String, String> metadata) {

  public TransferDraft {
    Checks.present(id, "transfer id");
    Checks.present(source, "source");
    Checks.present(destination, "destination");
    Checks.positiveAmount(amount, "amount");
    if (source.equals(destination)) {
      throw Checks.reject(RejectionReason.SAME_ACCOUNT, "source and destination are both " + source);
    }
    Checks.currency(currency, "currency");
    Checks.reference(reference);
    Checks.storedInstant(notBefore, "notBefore");
    metadata = Checks.metadata(metadata);
  }

  /** A draft without metadata. */
  public TransferDraft(UUID id, AccountId source, AccountId destination, long amount, String currency,
      @Nullable String reference, Instant notBefore) {
    this(id, source, destination, amount, currency, reference, notBefore, Map.of());
  }
}

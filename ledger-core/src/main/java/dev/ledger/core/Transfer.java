package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A recorded transfer of money from one account to another. Once recorded it never changes.
 *
 * <p>A source's transfers are numbered by {@code sourceIndex} 0, 1, 2, ... without gaps: the index is the
 * slot two concurrent debits of one account compete for, which is how the ledger serialises debits without
 * locks.
 *
 * @param id the transfer's id, also its idempotency key
 * @param source the account debited
 * @param sourceIndex the position of this transfer among the source's debits, from 0
 * @param destination the account credited
 * @param amount the amount in minor units (cents for USD), greater than zero
 * @param currency the currency of the amount, equal to both accounts' currency
 * @param recordedAt when it was recorded, to the microsecond; never earlier than any transfer its source's
 *     funds check relied on, so balances as of any instant are consistent
 * @param reference optional free text from the caller, at most 256 characters
 * @param metadata the caller's key-value pairs (at most 16; keys of {@code a-z 0-9 _ . -}, values of at most 256
 *     characters), unmodifiable, in key order; empty when none. Covered by the hash chain like every other field.
 */
public record Transfer(
    UUID id,
    AccountId source,
    long sourceIndex,
    AccountId destination,
    long amount,
    String currency,
    Instant recordedAt,
    @Nullable String reference,
    Map<String, String> metadata) {

  /** @throws LedgerRejectedException when a value is missing, malformed or breaks a rule of transfers */
  public Transfer {
    Checks.present(id, "transfer id");
    // Messages name the transfer; they are built only when a check fails (this runs for every transfer).
    if (source == null || destination == null || amount <= 0 || sourceIndex < 0 || currency == null
        || recordedAt == null) {
      Checks.present(source, "source of transfer " + id);
      Checks.present(destination, "destination of transfer " + id);
      if (sourceIndex < 0) {
        throw Checks.reject(RejectionReason.INVALID_REQUEST, "source index of transfer " + id + " is " + sourceIndex);
      }
      Checks.positiveAmount(amount, "amount of transfer " + id);
      Checks.present(currency, "currency of transfer " + id);
      Checks.present(recordedAt, "recordedAt of transfer " + id);
    }
    if (source.equals(destination)) {
      throw Checks.reject(RejectionReason.SAME_ACCOUNT, "transfer " + id + " has source and destination " + source);
    }
    if (!Checks.isCurrency(currency)) {
      Checks.currency(currency, "currency of transfer " + id);
    }
    if (recordedAt.getNano() % 1_000 != 0 || recordedAt.isBefore(Checks.MIN_INSTANT)
        || recordedAt.isAfter(Checks.MAX_INSTANT)) {
      Checks.storedInstant(recordedAt, "recordedAt of transfer " + id);
    }
    Checks.reference(reference);
    metadata = Checks.metadata(metadata);
  }

  /** A transfer without metadata. */
  public Transfer(UUID id, AccountId source, long sourceIndex, AccountId destination, long amount, String currency,
      Instant recordedAt, @Nullable String reference) {
    this(id, source, sourceIndex, destination, amount, currency, recordedAt, reference, Map.of());
  }

  /**
   * Whether this transfer has the content the request asks for: same source, destination, amount, currency,
   * reference and metadata (what a request with the same id must repeat). Index and time are assigned by the ledger
   * and are not content.
   */
  public boolean sameContentAs(TransferRequest request) {
    return sameContentAs(request.source(), request.destination(), request.amount(), request.currency(),
        request.reference(), request.metadata());
  }

  /** As {@link #sameContentAs(TransferRequest)}, for a request without metadata. */
  public boolean sameContentAs(AccountId source, AccountId destination, long amount, String currency,
      @Nullable String reference) {
    return sameContentAs(source, destination, amount, currency, reference, Map.of());
  }

  /** As {@link #sameContentAs(TransferRequest)}, from the request's values. */
  public boolean sameContentAs(AccountId source, AccountId destination, long amount, String currency,
      @Nullable String reference, Map<String, String> metadata) {
    return this.source.equals(source)
        && this.destination.equals(destination)
        && this.amount == amount
        && this.currency.equals(currency)
        && Objects.equals(this.reference, reference)
        && this.metadata.equals(metadata);
  }
}

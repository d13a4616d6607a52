package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What a caller asks the ledger to record. Build one with {@link #of} and the {@code with...} methods.
 *
 * <p>Give an {@code id} to make the call idempotent: the same id with the same content returns the transfer
 * recorded the first time and records nothing; the same id with different content is rejected. Without an
 * id the ledger generates one, and a retry after an unknown outcome cannot be recognised as a replay.
 *
 * @param id the idempotency key, or {@code null} to have one generated
 * @param source the account to debit
 * @param destination the account to credit
 * @param amount in minor units, greater than zero
 * @param currency the currency the caller means; must equal both accounts' currency
 * @param reference optional free text, at most 256 characters
 * @param metadata the caller's key-value pairs, recorded with the transfer and covered by its hash: at most 16
 *     entries, keys 1 to 64 characters of {@code a-z 0-9 _ . -}, values at most 256 characters; unmodifiable, in key
 *     order; empty when none
 */
public record TransferRequest(
    @Nullable UUID id,
    AccountId source,
    AccountId destination,
    long amount,
    String currency,
    @Nullable String reference,
    Map<String, String> metadata) {

  /** @throws LedgerRejectedException when a value is missing or malformed, or the accounts are the same */
  public TransferRequest {
    Checks.present(source, "source");
    Checks.present(destination, "destination");
    Checks.positiveAmount(amount, "amount");
    if (source.equals(destination)) {
      throw Checks.reject(RejectionReason.SAME_ACCOUNT, "source and destination are both " + source);
    }
    Checks.currency(currency, "currency");
    Checks.reference(reference);
    metadata = Checks.metadata(metadata);
  }

  /** A request without metadata. */
  public TransferRequest(@Nullable UUID id, AccountId source, AccountId destination, long amount, String currency,
      @Nullable String reference) {
    this(id, source, destination, amount, currency, reference, Map.of());
  }

  /** A request without id (one is generated) and without reference. */
  public static TransferRequest of(AccountId source, AccountId destination, long amount, String currency) {
    return new TransferRequest(null, source, destination, amount, currency, null);
  }

  /** This request with the given idempotency key. */
  public TransferRequest withId(UUID id) {
    return new TransferRequest(Checks.present(id, "id"), source, destination, amount, currency, reference, metadata);
  }

  /** This request with the given reference text. */
  public TransferRequest withReference(@Nullable String reference) {
    return new TransferRequest(id, source, destination, amount, currency, reference, metadata);
  }

  /**
   * This request with the given metadata in place of any it had.
   *
   * @throws LedgerRejectedException {@link RejectionReason#INVALID_METADATA} naming the entry and the rule
   */
  public TransferRequest withMetadata(Map<String, String> metadata) {
    return new TransferRequest(id, source, destination, amount, currency, reference, metadata);
  }

  /**
   * This request with one more metadata entry (or that key's value replaced).
   *
   * @throws LedgerRejectedException {@link RejectionReason#INVALID_METADATA} naming the entry and the rule
   */
  public TransferRequest withMetadata(String key, String value) {
    Map<String, String> more = new java.util.TreeMap<>(metadata);
    more.put(Checks.present(key, "metadata key"), Checks.present(value, "metadata value of " + key));
    return new TransferRequest(id, source, destination, amount, currency, reference, more);
  }
}

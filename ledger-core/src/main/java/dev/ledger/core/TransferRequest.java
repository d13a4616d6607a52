package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What a caller asks the ledger to record. Build one with {@link #of} and the {@code with...} methods.
 *
 * <p>Give an {@code id} to make the call idempotent: the same id with the same content returns the transfer recorded
 * the first time and records nothing; the same id with different content is rejected. Without an id the ledger
 * generates one, and a retry after an unknown outcome cannot be recognised as a replay.
 *
 * @param id the idempotency key, or {@code null} to have one generated
 * @param source the account to debit
 * @param destination the account to credit
 * @param amount in minor units, greater than zero
 * @param currency the currency the caller means; must equal both accounts' currency
 * @param reference optional free text, at most 256 characters
 * @param metadata the caller's key-value pairs, recorded with the transfer and covered by its hash: at most 16 entries,
 *     keys 1 to 64 characters of {@code a-z 0-9 _ . -}, values at most 256 characters; unmodifiable, in key order;
 *     empty when none
 * @param kind {@link TransferKind#IMMEDIATE} (the default), {@code PENDING} to hold the amount, or {@code POST} /
 *     {@code VOID} to resolve a pending transfer (build those with {@link #post} and {@link #voidPending})
 * @param pendingId for a post or void, the pending transfer it resolves; null otherwise
 * @param expiresAt for a pending transfer, the instant from which it is void if unresolved; null for none
 * @param timeout for a pending transfer, the time from its recording to its expiry (the alternative to
 *     {@code expiresAt}); null for none
 */
public record TransferRequest(
        @Nullable UUID id,
        AccountId source,
        AccountId destination,
        long amount,
        String currency,
        @Nullable String reference,
        Map<String, String> metadata,
        TransferKind kind,
        @Nullable UUID pendingId,
        @Nullable Instant expiresAt,
        @Nullable Duration timeout) {

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
        if (kind != TransferKind.IMMEDIATE || pendingId != null || expiresAt != null || timeout != null) {
            Checks.phase(kind, pendingId, expiresAt, timeout, "transfer request");
        }
    }

    /** An immediate request. */
    public TransferRequest(
            @Nullable UUID id,
            AccountId source,
            AccountId destination,
            long amount,
            String currency,
            @Nullable String reference,
            Map<String, String> metadata) {
        this(id, source, destination, amount, currency, reference, metadata, TransferKind.IMMEDIATE, null, null, null);
    }

    /** An immediate request without metadata. */
    public TransferRequest(
            @Nullable UUID id,
            AccountId source,
            AccountId destination,
            long amount,
            String currency,
            @Nullable String reference) {
        this(id, source, destination, amount, currency, reference, Map.of());
    }

    /**
     * A pending transfer (a hold): the source's available balance drops by {@code amount} at once, nothing is posted
     * until a {@link #post} of it; it never expires unless given {@link #withTimeout} or {@link #withExpiresAt}.
     */
    public static TransferRequest pending(AccountId source, AccountId destination, long amount, String currency) {
        return new TransferRequest(
                null, source, destination, amount, currency, null, Map.of(), TransferKind.PENDING, null, null, null);
    }

    /**
     * Posts {@code amount} (0 &lt; amount &le; the pending's amount) of the pending transfer; the rest of the hold is
     * released. Source, destination and currency are the pending's.
     *
     * @throws LedgerRejectedException when {@code pending} is not a pending transfer or the amount is not positive
     */
    public static TransferRequest post(Transfer pending, long amount) {
        return resolution(pending, amount, TransferKind.POST);
    }

    /** Posts the whole amount of the pending transfer. */
    public static TransferRequest post(Transfer pending) {
        return post(Checks.present(pending, "pending transfer"), pending.amount());
    }

    /** Voids the pending transfer: the whole hold is released, nothing moves. */
    public static TransferRequest voidPending(Transfer pending) {
        return resolution(Checks.present(pending, "pending transfer"), pending.amount(), TransferKind.VOID);
    }

    private static TransferRequest resolution(Transfer pending, long amount, TransferKind kind) {
        Checks.present(pending, "pending transfer");
        if (!pending.isPending()) {
            throw Checks.reject(
                    RejectionReason.PENDING_NOT_FOUND,
                    "transfer " + pending.id() + " is " + pending.kind()
                            + ", not PENDING: only a pending transfer is posted or voided");
        }
        return new TransferRequest(
                null,
                pending.source(),
                pending.destination(),
                amount,
                pending.currency(),
                null,
                Map.of(),
                kind,
                pending.id(),
                null,
                null);
    }

    /** This (pending) request, expiring {@code timeout} after the instant it is recorded. */
    public TransferRequest withTimeout(Duration timeout) {
        return new TransferRequest(
                id,
                source,
                destination,
                amount,
                currency,
                reference,
                metadata,
                kind,
                pendingId,
                null,
                Checks.present(timeout, "timeout"));
    }

    /** This (pending) request, expiring at {@code expiresAt} (which must be later than the instant it is recorded). */
    public TransferRequest withExpiresAt(Instant expiresAt) {
        return new TransferRequest(
                id,
                source,
                destination,
                amount,
                currency,
                reference,
                metadata,
                kind,
                pendingId,
                Checks.present(expiresAt, "expiresAt"),
                null);
    }

    /** A request without id (one is generated) and without reference. */
    public static TransferRequest of(AccountId source, AccountId destination, long amount, String currency) {
        return new TransferRequest(null, source, destination, amount, currency, null);
    }

    /** This request with the given idempotency key. */
    public TransferRequest withId(UUID id) {
        return new TransferRequest(
                Checks.present(id, "id"),
                source,
                destination,
                amount,
                currency,
                reference,
                metadata,
                kind,
                pendingId,
                expiresAt,
                timeout);
    }

    /** This request with the given reference text. */
    public TransferRequest withReference(@Nullable String reference) {
        return new TransferRequest(
                id, source, destination, amount, currency, reference, metadata, kind, pendingId, expiresAt, timeout);
    }

    /**
     * This request with the given metadata in place of any it had.
     *
     * @throws LedgerRejectedException {@link RejectionReason#INVALID_METADATA} naming the entry and the rule
     */
    public TransferRequest withMetadata(Map<String, String> metadata) {
        return new TransferRequest(
                id, source, destination, amount, currency, reference, metadata, kind, pendingId, expiresAt, timeout);
    }

    /**
     * This request with one more metadata entry (or that key's value replaced).
     *
     * @throws LedgerRejectedException {@link RejectionReason#INVALID_METADATA} naming the entry and the rule
     */
    public TransferRequest withMetadata(String key, String value) {
        Map<String, String> more = new java.util.TreeMap<>(metadata);
        more.put(Checks.present(key, "metadata key"), Checks.present(value, "metadata value of " + key));
        return new TransferRequest(
                id, source, destination, amount, currency, reference, more, kind, pendingId, expiresAt, timeout);
    }
}

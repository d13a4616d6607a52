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
 * <p>A source's transfers are numbered by {@code sourceIndex} 0, 1, 2, ... without gaps: the index is the slot two
 * concurrent debits of one account compete for, which is how the ledger serialises debits without locks.
 *
 * @param id the transfer's id, also its idempotency key
 * @param source the account debited
 * @param sourceIndex the position of this transfer among the source's debits, from 0
 * @param destination the account credited
 * @param amount the amount in minor units (cents for USD), greater than zero
 * @param currency the currency of the amount, equal to both accounts' currency
 * @param recordedAt when it was recorded, to the microsecond; never earlier than any transfer its source's funds check
 *     relied on, so balances as of any instant are consistent
 * @param reference optional free text from the caller, at most 256 characters
 * @param metadata the caller's key-value pairs (at most 16; keys of {@code a-z 0-9 _ . -}, values of at most 256
 *     characters), unmodifiable, in key order; empty when none. Covered by the hash chain like every other field.
 * @param kind what it does: {@link TransferKind#IMMEDIATE} moves the amount at once; {@code PENDING} holds it;
 *     {@code POST} and {@code VOID} resolve a pending transfer
 * @param pendingId for a {@code POST} or {@code VOID}, the pending transfer it resolves; null otherwise
 * @param expiresAt for a {@code PENDING} transfer, the instant from which it is void if still unresolved (later than
 *     {@code recordedAt}), or null when it never expires; null for other kinds
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
        Map<String, String> metadata,
        TransferKind kind,
        @Nullable UUID pendingId,
        @Nullable Instant expiresAt) {

    /** @throws LedgerRejectedException when a value is missing, malformed or breaks a rule of transfers */
    public Transfer {
        Checks.present(id, "transfer id");
        // Messages name the transfer; they are built only when a check fails (this runs for every transfer).
        if (source == null
                || destination == null
                || amount <= 0
                || sourceIndex < 0
                || currency == null
                || recordedAt == null) {
            Checks.present(source, "source of transfer " + id);
            Checks.present(destination, "destination of transfer " + id);
            if (sourceIndex < 0) {
                throw Checks.reject(
                        RejectionReason.INVALID_REQUEST, "source index of transfer " + id + " is " + sourceIndex);
            }
            Checks.positiveAmount(amount, "amount of transfer " + id);
            Checks.present(currency, "currency of transfer " + id);
            Checks.present(recordedAt, "recordedAt of transfer " + id);
        }
        if (source.equals(destination)) {
            throw Checks.reject(
                    RejectionReason.SAME_ACCOUNT, "transfer " + id + " has source and destination " + source);
        }
        if (!Checks.isCurrency(currency)) {
            Checks.currency(currency, "currency of transfer " + id);
        }
        if (recordedAt.getNano() % 1_000 != 0
                || recordedAt.isBefore(Checks.MIN_INSTANT)
                || recordedAt.isAfter(Checks.MAX_INSTANT)) {
            Checks.storedInstant(recordedAt, "recordedAt of transfer " + id);
        }
        Checks.reference(reference);
        metadata = Checks.metadata(metadata);
        if (kind != TransferKind.IMMEDIATE || pendingId != null || expiresAt != null) {
            Checks.phase(kind, pendingId, expiresAt, null, "transfer " + id); // (the message only off the common path)
        }
        if (expiresAt != null && !expiresAt.isAfter(recordedAt)) {
            throw Checks.reject(
                    RejectionReason.INVALID_EXPIRY,
                    "pending transfer " + id + " recorded at " + recordedAt + " expires at " + expiresAt);
        }
    }

    /** An immediate transfer. */
    public Transfer(
            UUID id,
            AccountId source,
            long sourceIndex,
            AccountId destination,
            long amount,
            String currency,
            Instant recordedAt,
            @Nullable String reference,
            Map<String, String> metadata) {
        this(
                id,
                source,
                sourceIndex,
                destination,
                amount,
                currency,
                recordedAt,
                reference,
                metadata,
                TransferKind.IMMEDIATE,
                null,
                null);
    }

    /** An immediate transfer without metadata. */
    public Transfer(
            UUID id,
            AccountId source,
            long sourceIndex,
            AccountId destination,
            long amount,
            String currency,
            Instant recordedAt,
            @Nullable String reference) {
        this(id, source, sourceIndex, destination, amount, currency, recordedAt, reference, Map.of());
    }

    /**
     * Whether this transfer has the content the request asks for: same source, destination, amount, currency, reference
     * and metadata (what a request with the same id must repeat). Index and time are assigned by the ledger and are not
     * content.
     */
    public boolean sameContentAs(TransferRequest request) {
        return sameContentAs(
                        request.source(),
                        request.destination(),
                        request.amount(),
                        request.currency(),
                        request.reference(),
                        request.metadata())
                && samePhaseAs(request.kind(), request.pendingId(), request.expiresAt(), request.timeout());
    }

    /**
     * Whether this transfer's kind, pending id and expiry are what a request asks for: an expiry given as an instant is
     * compared with {@link #expiresAt()}, one given as a timeout with {@code expiresAt - recordedAt}.
     */
    public boolean samePhaseAs(
            TransferKind kind,
            @Nullable UUID pendingId,
            @Nullable Instant expiresAt,
            java.time.@Nullable Duration timeout) {
        if (this.kind != kind || !Objects.equals(this.pendingId, pendingId)) {
            return false;
        }
        if (timeout != null) {
            return this.expiresAt != null
                    && java.time.Duration.between(recordedAt, this.expiresAt).equals(timeout);
        }
        return Objects.equals(this.expiresAt, expiresAt);
    }

    /** Whether this transfer is pending (a hold, resolved by a later post or void, or by its expiry). */
    public boolean isPending() {
        return kind == TransferKind.PENDING;
    }

    /**
     * What this transfer moves between posted balances: its amount for an immediate transfer or a post, 0 for a pending
     * transfer or a void.
     */
    public long postedAmount() {
        return kind == TransferKind.IMMEDIATE || kind == TransferKind.POST ? amount : 0;
    }

    /** As {@link #sameContentAs(TransferRequest)}, for a request without metadata. */
    public boolean sameContentAs(
            AccountId source, AccountId destination, long amount, String currency, @Nullable String reference) {
        return sameContentAs(source, destination, amount, currency, reference, Map.of());
    }

    /** As {@link #sameContentAs(TransferRequest)}, from the request's values. */
    public boolean sameContentAs(
            AccountId source,
            AccountId destination,
            long amount,
            String currency,
            @Nullable String reference,
            Map<String, String> metadata) {
        return this.source.equals(source)
                && this.destination.equals(destination)
                && this.amount == amount
                && this.currency.equals(currency)
                && Objects.equals(this.reference, reference)
                && this.metadata.equals(metadata);
    }
}

package dev.ledger.core.spi;

import dev.ledger.core.AccountId;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.TransferKind;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A transfer the {@code Ledger} asks a store to append: everything but the source index, which the store assigns in the
 * attempt, and the final recorded time.
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
 *     recordedAt among its credits)}, as the attempt's snapshot sees them, so that a debit is dated strictly after
 *     every credit it may spend (and a statement never shows a debit before the credit that funded it)
 * @param kind immediate, pending, post or void
 * @param pendingId for a post or void, the pending transfer it resolves
 * @param expiresAt for a pending transfer, its expiry as an instant (the store rejects it with {@code INVALID_EXPIRY}
 *     unless it is later than the recorded time)
 * @param timeout for a pending transfer, its expiry as a time after the recorded time (the store records
 *     {@code recordedAt + timeout}, rejecting it with {@code INVALID_EXPIRY} beyond the latest storable instant)
 */
public record TransferDraft(
        UUID id,
        AccountId source,
        AccountId destination,
        long amount,
        String currency,
        @Nullable String reference,
        Instant notBefore,
        Map<String, String> metadata,
        TransferKind kind,
        @Nullable UUID pendingId,
        @Nullable Instant expiresAt,
        @Nullable Duration timeout) {

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
        if (kind != TransferKind.IMMEDIATE || pendingId != null || expiresAt != null || timeout != null) {
            Checks.phase(
                    kind, pendingId, expiresAt, timeout, "transfer " + id); // (the message only off the common path)
        }
    }

    /** An immediate draft. */
    public TransferDraft(
            UUID id,
            AccountId source,
            AccountId destination,
            long amount,
            String currency,
            @Nullable String reference,
            Instant notBefore,
            Map<String, String> metadata) {
        this(
                id,
                source,
                destination,
                amount,
                currency,
                reference,
                notBefore,
                metadata,
                TransferKind.IMMEDIATE,
                null,
                null,
                null);
    }

    /** An immediate draft without metadata. */
    public TransferDraft(
            UUID id,
            AccountId source,
            AccountId destination,
            long amount,
            String currency,
            @Nullable String reference,
            Instant notBefore) {
        this(id, source, destination, amount, currency, reference, notBefore, Map.of());
    }

    /** The draft of {@code request} under {@code id}, for an attempt at {@code notBefore}. */
    public static TransferDraft of(UUID id, TransferRequest request, Instant notBefore) {
        return new TransferDraft(
                id,
                request.source(),
                request.destination(),
                request.amount(),
                request.currency(),
                request.reference(),
                notBefore,
                request.metadata(),
                request.kind(),
                request.pendingId(),
                request.expiresAt(),
                request.timeout());
    }

    /**
     * The expiry a pending draft recorded at {@code recordedAt} gets: {@code expiresAt}, or {@code recordedAt +
     * timeout}; null when it has none. {@link Checks#MAX_INSTANT} plus a microsecond when the sum is beyond the
     * storable range (the store rejects it).
     */
    public @Nullable Instant expiryWhenRecordedAt(Instant recordedAt) {
        if (expiresAt != null) {
            return expiresAt;
        }
        if (timeout == null) {
            return null;
        }
        Instant sum = recordedAt.plus(timeout);
        return sum.isAfter(Checks.MAX_INSTANT) ? Checks.MAX_INSTANT.plusNanos(1_000) : sum;
    }

    /** Whether {@code existing} has this draft's content (what a replay of the id must repeat). */
    public boolean sameContentAs(dev.ledger.core.Transfer existing) {
        return existing.sameContentAs(source, destination, amount, currency, reference, metadata)
                && existing.samePhaseAs(kind, pendingId, expiresAt, timeout);
    }
}

package dev.ledger.core;

import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The ledger could not complete a request for a reason that is not a rule: the store was unreachable, a conflict
 * persisted through every retry, or the thread was interrupted.
 *
 * <p>Unlike a {@link LedgerRejectedException}, this says nothing about the request itself; the same request may succeed
 * later. When {@link #outcomeUnknown()} is true the write may or may not have been recorded (for example the connection
 * dropped during COMMIT): retry with the same {@link #transferId()} — the transfer id is an idempotency key, so a retry
 * returns the original transfer instead of recording a second.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class LedgerUnavailableException extends LedgerException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The store could not be reached or failed before anything was written. */
        STORE_UNAVAILABLE,
        /** The store failed at a point where the write may or may not have been recorded. */
        OUTCOME_UNKNOWN,
        /** Every attempt met a concurrent debit of the same source; nothing was recorded. */
        RETRIES_EXHAUSTED,
        /** The calling thread was interrupted while waiting to retry; nothing was recorded by this call. */
        INTERRUPTED,
        /**
         * The ledger's clock reads later than the store's own clock plus the skew the store allows; nothing was
         * recorded. Fix the clock of the application's host (or the store's allowed skew): the call succeeds again once
         * the clocks agree.
         */
        CLOCK_AHEAD
    }

    private final Kind kind;
    private final transient @Nullable UUID transferId;

    public LedgerUnavailableException(Kind kind, String message, @Nullable UUID transferId, @Nullable Throwable cause) {
        super(Objects.requireNonNull(kind, "kind").name() + ": " + message, cause);
        this.kind = kind;
        this.transferId = transferId;
    }

    public LedgerUnavailableException(Kind kind, String message, @Nullable Throwable cause) {
        this(kind, message, null, cause);
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** Whether the write may have been recorded; if so, retry with the same transfer id to find out. */
    public boolean outcomeUnknown() {
        return kind == Kind.OUTCOME_UNKNOWN;
    }

    /** The id of the transfer the failed call was recording, when there was one. */
    public @Nullable UUID transferId() {
        return transferId;
    }

    /** A copy of this exception that names the transfer being recorded. */
    public LedgerUnavailableException withTransferId(UUID id) {
        LedgerUnavailableException copy = new LedgerUnavailableException(kind, stripKind(getMessage()), id, getCause());
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    private String stripKind(@Nullable String message) {
        String prefix = kind.name() + ": ";
        return message != null && message.startsWith(prefix)
                ? message.substring(prefix.length())
                : String.valueOf(message);
    }
}

package dev.ledger.core;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception the ledger throws for a request it did not complete: either
 * {@link LedgerRejectedException} (the request breaks a rule; nothing was recorded, and the same request will be
 * refused again) or {@link LedgerUnavailableException} (the infrastructure failed; the same request may succeed later,
 * and {@link LedgerUnavailableException#outcomeUnknown()} says whether it may already have been recorded).
 *
 * <p>Sealed: these two are all there is, so a {@code catch (LedgerException e)} that tells them apart covers every
 * outcome of a call that did not return. (A builder given an out-of-range setting is a mistake in the program, not an
 * outcome of a request: {@link IllegalArgumentException}.)
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public abstract sealed class LedgerException extends RuntimeException
        permits LedgerRejectedException, LedgerUnavailableException {
    private static final long serialVersionUID = 1L;

    LedgerException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}

package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import java.time.Instant;

/**
 * An account. Accounts are immutable once opened and are never closed or deleted.
 *
 * @param id the account's id
 * @param currency the currency or asset code every transfer of this account is in, e.g. {@code USD}
 * @param issuer whether the account may go negative: an issuer is where money enters the ledger (the seed's service
 *     account); an ordinary account can never spend more than it holds
 * @param openedAt when the account was opened, to the microsecond
 * @param lowerLimit the least balance the account may have, now and as of any instant: 0 for an ordinary account,
 *     negative for one opened with an overdraft line ({@link NewAccount#withLowerLimit}), {@link #NO_LOWER_LIMIT} for
 *     an issuer (an issuer is the account with no lower limit)
 * @param upperLimit the most balance the account may have, now and as of any instant (credits beyond it are refused
 *     with {@link RejectionReason#UPPER_LIMIT_EXCEEDED}), or {@link #NO_UPPER_LIMIT}; only an ordinary account may have
 *     one ({@link NewAccount#withUpperLimit})
 */
public record Account(
        AccountId id, String currency, boolean issuer, Instant openedAt, long lowerLimit, long upperLimit) {
    /** The {@link #lowerLimit()} of an issuer: none. */
    public static final long NO_LOWER_LIMIT = Long.MIN_VALUE;
    /** The {@link #upperLimit()} of an account without one. */
    public static final long NO_UPPER_LIMIT = Long.MAX_VALUE;

    /** @throws LedgerRejectedException when a value is missing or malformed, or the limit does not fit the kind */
    public Account {
        Checks.present(id, "account id");
        Checks.currency(currency, "currency of account " + id);
        openedAt = Checks.storedInstant(openedAt, "openedAt of account " + id);
        Checks.lowerLimit(issuer, lowerLimit, id);
        Checks.upperLimit(issuer, upperLimit, 0, id);
    }

    /** Whether credits to this account are bounded by an upper limit. */
    public boolean hasUpperLimit() {
        return upperLimit != NO_UPPER_LIMIT;
    }

    /** An account with the lower limit of its kind (none for an issuer, 0 for an ordinary account) and no upper one. */
    public Account(AccountId id, String currency, boolean issuer, Instant openedAt) {
        this(id, currency, issuer, openedAt, issuer ? NO_LOWER_LIMIT : 0, NO_UPPER_LIMIT);
    }
}

package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A request to open an account, optionally with an opening balance funded by an issuer in the same atomic step. Build
 * one with {@link #of} or {@link #issuer} and {@link #withOpeningBalance}.
 *
 * @param id the new account's id; opening an existing id is rejected with {@link RejectionReason#ACCOUNT_EXISTS}
 * @param currency the account's currency or asset code
 * @param issuer whether the account may go negative (money enters the ledger through issuers)
 * @param openingBalance the balance to fund the account with, zero or more
 * @param fundedBy the issuer that funds a positive opening balance; {@code null} when it is zero
 * @param fundingTransferId the id of the funding transfer, or {@code null} to generate one
 * @param lowerLimit the least balance the account may have: 0 for an ordinary account unless it has an overdraft line
 *     ({@link #withLowerLimit}), {@link Account#NO_LOWER_LIMIT} for an issuer
 * @param upperLimit the most balance the account may have ({@link #withUpperLimit}), or {@link Account#NO_UPPER_LIMIT}
 */
public record NewAccount(
        AccountId id,
        String currency,
        boolean issuer,
        long openingBalance,
        @Nullable AccountId fundedBy,
        @Nullable UUID fundingTransferId,
        long lowerLimit,
        long upperLimit) {

    /** @throws LedgerRejectedException when a value is missing or malformed, or the request is inconsistent */
    public NewAccount {
        Checks.present(id, "account id");
        Checks.currency(currency, "currency of account " + id);
        if (openingBalance < 0) {
            throw Checks.reject(
                    RejectionReason.NEGATIVE_OPENING_BALANCE,
                    "account " + id + " was to open with balance " + openingBalance);
        }
        if (openingBalance > 0 && fundedBy == null) {
            throw Checks.reject(
                    RejectionReason.MISSING_VALUE,
                    "opening balance " + openingBalance + " of account " + id
                            + " has no funding issuer (fundedBy is null)");
        }
        if (openingBalance == 0 && (fundedBy != null || fundingTransferId != null)) {
            throw Checks.reject(
                    RejectionReason.INVALID_REQUEST,
                    "account " + id + " names a funding issuer or funding transfer id but its opening balance is 0");
        }
        if (id.equals(fundedBy)) {
            throw Checks.reject(RejectionReason.SAME_ACCOUNT, "account " + id + " cannot fund its own opening balance");
        }
        Checks.lowerLimit(issuer, lowerLimit, id);
        Checks.upperLimit(issuer, upperLimit, openingBalance, id);
    }

    /** A request with the lower limit of its kind (none for an issuer, 0 for an ordinary account) and no upper one. */
    public NewAccount(
            AccountId id,
            String currency,
            boolean issuer,
            long openingBalance,
            @Nullable AccountId fundedBy,
            @Nullable UUID fundingTransferId) {
        this(
                id,
                currency,
                issuer,
                openingBalance,
                fundedBy,
                fundingTransferId,
                issuer ? Account.NO_LOWER_LIMIT : 0,
                Account.NO_UPPER_LIMIT);
    }

    /** An ordinary account (never negative) with a zero balance. */
    public static NewAccount of(AccountId id, String currency) {
        return new NewAccount(id, currency, false, 0, null, null);
    }

    /** An issuer account, which may go negative: money enters the ledger by transfers from issuers. */
    public static NewAccount issuer(AccountId id, String currency) {
        return new NewAccount(id, currency, true, 0, null, null);
    }

    /** This request with a positive opening balance transferred from {@code issuer} when the account opens. */
    public NewAccount withOpeningBalance(long amount, AccountId issuer) {
        return new NewAccount(
                id,
                currency,
                this.issuer,
                amount,
                Checks.present(issuer, "funding issuer"),
                fundingTransferId,
                lowerLimit,
                upperLimit);
    }

    /** This request with the given id for the funding transfer. */
    public NewAccount withFundingTransferId(UUID transferId) {
        return new NewAccount(
                id,
                currency,
                issuer,
                openingBalance,
                fundedBy,
                Checks.present(transferId, "funding transfer id"),
                lowerLimit,
                upperLimit);
    }

    /**
     * This ordinary account with an overdraft line: its balance may go down to {@code limit} (at most 0), now and as of
     * any instant; debits that would take it lower are refused with {@link RejectionReason#INSUFFICIENT_FUNDS}.
     *
     * @throws LedgerRejectedException {@link RejectionReason#INVALID_LIMIT} for a positive limit or an issuer
     */
    public NewAccount withLowerLimit(long limit) {
        if (issuer) {
            throw Checks.reject(
                    RejectionReason.INVALID_LIMIT, "issuer " + id + " has no lower limit; it was given " + limit);
        }
        return new NewAccount(id, currency, false, openingBalance, fundedBy, fundingTransferId, limit, upperLimit);
    }

    /**
     * This ordinary account with an upper limit: credits that would take its balance above {@code limit} (at least 0
     * and at least the opening balance) are refused with {@link RejectionReason#UPPER_LIMIT_EXCEEDED}, now and as of
     * any instant (a wallet capped at 10,000.00).
     *
     * @throws LedgerRejectedException {@link RejectionReason#INVALID_LIMIT} for a negative limit, one below the opening
     *     balance, or an issuer
     */
    public NewAccount withUpperLimit(long limit) {
        if (issuer || limit == Account.NO_UPPER_LIMIT) {
            throw Checks.reject(
                    RejectionReason.INVALID_LIMIT,
                    (issuer ? "issuer " : "account ") + id + " was given upper limit " + limit);
        }
        return new NewAccount(id, currency, false, openingBalance, fundedBy, fundingTransferId, lowerLimit, limit);
    }
}

package dev.ledger.core;

import dev.ledger.core.internal.Checks;

/**
 * The id of an account: 1 to 64 characters of {@code A-Z a-z 0-9 . _ : -}, starting with a letter or digit. Ids are
 * case-sensitive and compared as given.
 *
 * @param value the id
 */
public record AccountId(String value) implements Comparable<AccountId> {
    /**
     * @throws LedgerRejectedException {@link RejectionReason#MISSING_VALUE} or
     *     {@link RejectionReason#INVALID_ACCOUNT_ID}
     */
    public AccountId {
        Checks.accountId(value);
    }

    /** Shorthand for {@code new AccountId(value)}. */
    public static AccountId of(String value) {
        return new AccountId(value);
    }

    @Override
    public int compareTo(AccountId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

package dev.ledger.core;

/**
 * An account's balances at one instant (now, or as of a past instant), read from one consistent snapshot.
 *
 * @param posted credits minus debits of the immediate transfers and posts recorded: what {@link Ledger#balance} answers
 * @param pendingDebits the amounts held from this account by pending transfers that are neither posted, voided nor
 *     expired
 * @param pendingCredits the amounts held for this account (as destination) by such pending transfers
 */
public record Balances(long posted, long pendingDebits, long pendingCredits) {

    /**
     * What a new debit or pending transfer may use, down to the account's lower limit: {@code posted - pendingDebits}.
     * Pending credits do not count towards it.
     */
    public long available() {
        return posted - pendingDebits;
    }
}

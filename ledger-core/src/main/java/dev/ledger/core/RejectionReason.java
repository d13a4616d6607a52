package dev.ledger.core;

/**
 * Why the ledger refused a request. Every rejection records nothing.
 *
 * <p>The set is part of the API: callers switch on it, stores report it, and the PostgreSQL store maps its constraint
 * violations onto it. New reasons may be added in minor versions; none is ever reused for a different rule.
 */
public enum RejectionReason {
    /** A required value (an argument or a field of a request) was {@code null}. */
    MISSING_VALUE("a required value must not be null"),
    /** An account id is empty, too long or has characters outside the allowed set. */
    INVALID_ACCOUNT_ID("an account id is 1 to 64 characters of A-Z a-z 0-9 . _ : - and starts with a letter or digit"),
    /** A currency or asset code is malformed. */
    INVALID_CURRENCY("a currency code is 3 to 16 characters of A-Z 0-9 _ and starts with a letter"),
    /** A transfer reference is too long or not storable text. */
    INVALID_REFERENCE("a reference is at most 256 characters of well-formed text without NUL"),
    /** A transfer's metadata has too many entries, a malformed key, or a value too long or not storable text. */
    INVALID_METADATA("metadata holds at most 16 entries; keys are 1 to 64 characters of a-z 0-9 _ . -; values are at"
            + " most 256 characters of well-formed text without NUL"),
    /** An account's limit is out of range, or given to an account that cannot have it. */
    INVALID_LIMIT(
            "an ordinary account's lower limit is at most 0 (an overdraft line) and its upper limit at least 0 and"
                    + " at least its opening balance; an issuer has neither"),
    /** An instant is outside the range the ledger can store. */
    INVALID_INSTANT("an instant lies between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z"),
    /** A request is inconsistent in itself (for example a page size out of range). */
    INVALID_REQUEST("a request must be consistent in itself"),
    /** A transfer amount is zero or negative. */
    NON_POSITIVE_AMOUNT("a transfer amount must be greater than zero"),
    /** An account was to be opened with a negative balance. */
    NEGATIVE_OPENING_BALANCE("an opening balance must not be negative"),
    /** A transfer's source and destination are the same account. */
    SAME_ACCOUNT("a transfer's source and destination must differ"),
    /** An account with this id already exists. */
    ACCOUNT_EXISTS("account ids are unique"),
    /** The account asked about does not exist. */
    ACCOUNT_NOT_FOUND("the account must exist"),
    /** The transfer's source account does not exist. */
    SOURCE_NOT_FOUND("a transfer's source account must exist"),
    /** The transfer's destination account does not exist. */
    DESTINATION_NOT_FOUND("a transfer's destination account must exist"),
    /** An opening balance was to be funded by an account that is not an issuer. */
    FUNDING_ACCOUNT_NOT_ISSUER("an opening balance is funded by an issuer account"),
    /** The currencies of the request, the source and the destination differ. */
    CURRENCY_MISMATCH("a transfer's currency equals the currency of both accounts"),
    /**
     * A non-issuer source's balance does not cover the amount (down to its lower limit, when it has an overdraft line).
     */
    INSUFFICIENT_FUNDS("a non-issuer source's balance must cover the amount"),
    /** A credit would take the destination's balance above its upper limit. */
    UPPER_LIMIT_EXCEEDED("a credit must not take an account's balance above its upper limit"),
    /** An account's cumulative debits or credits would exceed 2^63-1 minor units. */
    BALANCE_OVERFLOW("an account's cumulative debits and cumulative credits each stay within 9223372036854775807"),
    /** The transfer id was already used for a transfer with different content. */
    ID_REUSED_WITH_DIFFERENT_CONTENT("a transfer id is an idempotency key: reusing it requires identical content"),
    /** A pending transfer's expiry is not after the time it is recorded, or an expiry was given to another kind. */
    INVALID_EXPIRY("a pending transfer expires after the instant it is recorded; only pending transfers expire"),
    /** A post or void names a transfer id that is not a recorded pending transfer. */
    PENDING_NOT_FOUND("a post or void names a recorded pending transfer"),
    /**
     * A post or void does not match its pending transfer: another source, destination or currency, or a void whose
     * amount is not the pending's.
     */
    PENDING_MISMATCH(
            "a post or void repeats its pending transfer's source, destination and currency; a void its amount"),
    /** A post's amount is more than the pending transfer holds. */
    POST_EXCEEDS_PENDING("a post moves at most the pending transfer's amount"),
    /** The pending transfer was already posted: it is resolved once. */
    PENDING_ALREADY_POSTED("a pending transfer is resolved once, and this one was posted"),
    /** The pending transfer was already voided: it is resolved once. */
    PENDING_ALREADY_VOIDED("a pending transfer is resolved once, and this one was voided"),
    /** The pending transfer reached its expiry unresolved: it is void from that instant on. */
    PENDING_EXPIRED("a pending transfer is posted or voided before it expires"),
    /** A batch is empty, too large, or holds a null item. */
    INVALID_BATCH("a batch holds 1 to " + Ledger.MAX_BATCH_SIZE + " transfer requests, none of them null");

    private final String rule;

    RejectionReason(String rule) {
        this.rule = rule;
    }

    /** The rule that was broken, in words, as it appears at the end of rejection messages. */
    public String rule() {
        return rule;
    }
}

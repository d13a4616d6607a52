package dev.ledger.core;

/** What became of a pending transfer, as a statement shows it on the pending transfer's line. */
public enum PendingStatus {
    /** Neither posted nor voided, and not expired when the statement was read: it still holds its amount. */
    PENDING,
    /** Posted (in full or in part) by a later line of the same statement's source. */
    POSTED,
    /** Voided by a later line of the source. */
    VOIDED,
    /** Reached its expiry unresolved: void from its expiry instant on (no line is recorded for that). */
    EXPIRED
}

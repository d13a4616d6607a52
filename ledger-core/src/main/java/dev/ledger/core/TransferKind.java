package dev.ledger.core;

/**
 * What a transfer does: move money at once, or hold it first and then post or void the hold (a two-phase transfer, as a
 * card authorisation and its capture).
 *
 * <p>Every kind takes its source's next index, so a source's holds, posts and voids are serialised with its debits by
 * the same index slot; credits still need no coordination.
 */
public enum TransferKind {
    /** Moves the amount at once: debits the source, credits the destination. */
    IMMEDIATE,
    /**
     * Holds the amount: the source's available balance drops by it at once (a pending debit) and the destination's
     * pending credits grow by it; nothing is posted. Until its expiry, if it has one; from that instant on it is void.
     */
    PENDING,
    /**
     * Posts a pending transfer ({@link Transfer#pendingId()}), in full or in part: its amount (at most the pending's)
     * moves from the source to the destination, and the rest of the hold is released.
     */
    POST,
    /**
     * Voids a pending transfer ({@link Transfer#pendingId()}): the whole hold is released; its amount is the pending's.
     */
    VOID
}

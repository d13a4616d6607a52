package dev.ledger.core;

/** How {@link Ledger#transferBatch(java.util.List, BatchMode)} treats the items of a batch. */
public enum BatchMode {
    /**
     * Bulk: each item is recorded or rejected on its own; a rejected item never affects the others. Items of one source
     * apply in list order, so a later item may spend what an earlier one left (or received).
     */
    INDEPENDENT,
    /**
     * Atomic: every item is recorded, or none is. The first item that breaks a rule rejects the whole batch, and the
     * {@link LedgerRejectedException} names its position ({@link LedgerRejectedException#position()}).
     */
    LINKED
}

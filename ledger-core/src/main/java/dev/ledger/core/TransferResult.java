package dev.ledger.core;

import java.util.Objects;

/** The outcome of one item of a batch ({@link Ledger#transferBatch(java.util.List, BatchMode)}). */
public sealed interface TransferResult {

    /**
     * The item's transfer is recorded.
     *
     * @param transfer the recorded transfer
     * @param replayed true when it was recorded before, under the item's id, by an earlier call (or an earlier item of
     *     the same batch): this call recorded nothing for the item
     */
    record Recorded(Transfer transfer, boolean replayed) implements TransferResult {
        public Recorded {
            Objects.requireNonNull(transfer, "transfer");
        }
    }

    /**
     * The item breaks a rule; nothing was recorded for it.
     *
     * @param reason the broken rule
     * @param detail what was wrong, naming the value
     */
    record Rejected(RejectionReason reason, String detail) implements TransferResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        /** The exception {@link Ledger#transfer(TransferRequest)} would have thrown for this item. */
        public LedgerRejectedException toException() {
            return new LedgerRejectedException(reason, detail);
        }
    }
}

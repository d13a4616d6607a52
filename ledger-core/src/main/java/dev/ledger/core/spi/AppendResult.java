package dev.ledger.core.spi;

import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import java.util.Objects;

/** The outcome of one {@link LedgerStore#append} attempt. */
public sealed interface AppendResult {

    /** The transfer was recorded by this attempt. */
    record Recorded(Transfer transfer) implements AppendResult {
        public Recorded {
            Objects.requireNonNull(transfer, "transfer");
        }
    }

    /**
     * A transfer with the draft's id was already recorded (by an earlier call or a concurrent one); this attempt
     * recorded nothing. The {@code Ledger} compares its content with the request.
     */
    record AlreadyRecorded(Transfer existing) implements AppendResult {
        public AlreadyRecorded {
            Objects.requireNonNull(existing, "existing");
        }
    }

    /**
     * The attempt lost a race it may win on a retry: typically a concurrent debit of the same source took the index
     * slot this attempt read as free (or the database reported a serialization failure or deadlock). Nothing was
     * recorded.
     */
    record Conflict(String detail) implements AppendResult {
        public Conflict {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** The transfer breaks a rule; nothing was recorded. */
    record Rejected(RejectionReason reason, String detail) implements AppendResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * Not recorded because another item of its {@link dev.ledger.core.BatchMode#LINKED} batch was rejected (or lost a
     * race): nothing of the batch was recorded.
     */
    record Aborted(String detail) implements AppendResult {
        public Aborted {
            Objects.requireNonNull(detail, "detail");
        }
    }
}

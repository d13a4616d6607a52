package dev.ledger.postgres.jepsen;

import dev.ledger.core.AccountId;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One completed operation of the bank workload, as the client saw it: a transfer attempt (with its caller-chosen id) or
 * a snapshot read of every balance.
 *
 * @param seq completion order in the history
 * @param client the client (thread) number; -1 for the harness itself (setup, resolution)
 * @param phase {@code run} while faults may be active, {@code resolve} after healing
 * @param changedContent a deliberate retry of an existing id with a different amount
 * @param request the request sent (its kind, pending id and expiry too), null for a read
 */
public record Op(
        long seq,
        int client,
        String phase,
        Type type,
        @Nullable UUID id,
        @Nullable AccountId source,
        @Nullable AccountId destination,
        long amount,
        @Nullable String reference,
        boolean changedContent,
        Outcome outcome,
        @Nullable Transfer transfer,
        @Nullable RejectionReason reason,
        LedgerUnavailableException.@Nullable Kind failure,
        @Nullable Map<String, Long> balances,
        long startNanos,
        long endNanos,
        @Nullable TransferRequest request) {

    /** What was asked. */
    public enum Type {
        TRANSFER,
        FIND,
        READ
    }

    /**
     * How it ended: OK (acknowledged), REJECTED (a rule; nothing recorded), UNKNOWN (OUTCOME_UNKNOWN), FAILED (another
     * {@code LedgerUnavailableException}: nothing recorded by this call), ABSENT (a {@code findTransfer} that found
     * nothing).
     */
    public enum Outcome {
        OK,
        REJECTED,
        UNKNOWN,
        FAILED,
        ABSENT
    }

    public boolean isTransfer() {
        return type == Type.TRANSFER;
    }
}

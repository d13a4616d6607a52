package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * One line of an account's statement.
 *
 * @param transfer the transfer
 * @param change its effect on the account's balance: {@code -amount} when the account is the source, {@code +amount}
 *     when it is the destination
 * @param balanceAfter the account's balance just after this line: over every transfer of the account ordered at or
 *     before it (by recorded time, then transfer id); for the newest line, the balance now
 * @param pendingStatus for the line of a pending transfer, what became of it by the time the statement was read (still
 *     pending, posted, voided or expired); null for every other line. The change of a pending transfer's line, and of a
 *     void's, is 0: only immediate transfers and posts move the posted balance.
 */
public record StatementLine(
        Transfer transfer,
        long change,
        long balanceAfter,
        @Nullable PendingStatus pendingStatus) {
    public StatementLine {
        Checks.present(transfer, "transfer");
        if ((pendingStatus != null) != transfer.isPending()) {
            throw Checks.reject(
                    RejectionReason.INVALID_REQUEST,
                    "the line of " + transfer.kind() + " transfer " + transfer.id() + " has pending status "
                            + pendingStatus + "; exactly the lines of pending transfers have one");
        }
    }

    /** The line of a transfer that is not pending. */
    public StatementLine(Transfer transfer, long change, long balanceAfter) {
        this(transfer, change, balanceAfter, null);
    }

    /** Whether the account was debited by this line. */
    public boolean isDebit() {
        return change < 0;
    }

    /** This line's position, for keyset paging. */
    public StatementCursor cursor() {
        return StatementCursor.of(transfer);
    }
}

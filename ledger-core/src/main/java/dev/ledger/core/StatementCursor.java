package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

/**
 * A position in an account's statement: lines are ordered by {@code recordedAt}, then by transfer id compared as
 * unsigned bytes (PostgreSQL's uuid order), in every store.
 *
 * @param recordedAt the line's recorded time
 * @param transferId the line's transfer id
 */
public record StatementCursor(Instant recordedAt, UUID transferId) implements Comparable<StatementCursor> {
    /** The order of statement lines. */
    public static final Comparator<StatementCursor> ORDER = Comparator.comparing(StatementCursor::recordedAt)
            .thenComparing(StatementCursor::transferId, StatementCursor::compareUuids);

    /** @throws LedgerRejectedException when a value is missing or out of range */
    public StatementCursor {
        Checks.storedInstant(recordedAt, "cursor time");
        Checks.present(transferId, "cursor transfer id");
    }

    /** The position of a transfer. */
    public static StatementCursor of(Transfer transfer) {
        Checks.present(transfer, "transfer");
        return new StatementCursor(transfer.recordedAt(), transfer.id());
    }

    @Override
    public int compareTo(StatementCursor other) {
        return ORDER.compare(this, other);
    }

    /** Compares UUIDs as unsigned 128-bit numbers (byte order), unlike {@link UUID#compareTo}. */
    public static int compareUuids(UUID a, UUID b) {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }
}

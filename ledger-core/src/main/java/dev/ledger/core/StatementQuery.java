package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A page of an account's statement: transfers in and out, keyset-paged.
 *
 * <p>Start with {@link #of(AccountId)}; narrow it with {@link #from}, {@link #to}, {@link #after}, {@link #limit} and
 * {@link #backward}. To read on, pass the page's {@link StatementPage#next()} to {@link #after}.
 *
 * @param account the account
 * @param from the earliest recorded time included, or {@code null} for no lower bound
 * @param to the first recorded time excluded, or {@code null} for no upper bound
 * @param after the position after which (in the direction of reading) the page starts, or {@code null}
 * @param limit the most lines to return, 1 to {@value #MAX_LIMIT}
 * @param direction {@link Direction#FORWARD} for oldest first, {@link Direction#BACKWARD} for newest first
 */
public record StatementQuery(
        AccountId account,
        @Nullable Instant from,
        @Nullable Instant to,
        @Nullable StatementCursor after,
        int limit,
        Direction direction) {

    /** The largest page. */
    public static final int MAX_LIMIT = 1_000;
    /** The page size of {@link #of(AccountId)}. */
    public static final int DEFAULT_LIMIT = 100;

    /** The order in which lines are read. */
    public enum Direction {
        /** Oldest first. */
        FORWARD,
        /** Newest first. */
        BACKWARD
    }

    /** @throws LedgerRejectedException when a value is missing, out of range or inconsistent */
    public StatementQuery {
        Checks.present(account, "account");
        Checks.present(direction, "direction");
        if (from != null) {
            Checks.instant(from, "from");
        }
        if (to != null) {
            Checks.instant(to, "to");
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw Checks.reject(RejectionReason.INVALID_REQUEST, "time range from " + from + " to " + to + " is empty");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw Checks.reject(RejectionReason.INVALID_REQUEST, "limit " + limit + " is outside 1.." + MAX_LIMIT);
        }
    }

    /** The first {@value #DEFAULT_LIMIT} lines of the account's whole statement, oldest first. */
    public static StatementQuery of(AccountId account) {
        return new StatementQuery(account, null, null, null, DEFAULT_LIMIT, Direction.FORWARD);
    }

    public StatementQuery from(@Nullable Instant from) {
        return new StatementQuery(account, from, to, after, limit, direction);
    }

    public StatementQuery to(@Nullable Instant to) {
        return new StatementQuery(account, from, to, after, limit, direction);
    }

    public StatementQuery after(@Nullable StatementCursor after) {
        return new StatementQuery(account, from, to, after, limit, direction);
    }

    public StatementQuery limit(int limit) {
        return new StatementQuery(account, from, to, after, limit, direction);
    }

    public StatementQuery backward() {
        return new StatementQuery(account, from, to, after, limit, Direction.BACKWARD);
    }

    public StatementQuery forward() {
        return new StatementQuery(account, from, to, after, limit, Direction.FORWARD);
    }

    /** Whether a line at {@code position} belongs to this query, ignoring the limit. */
    public boolean includes(StatementCursor position) {
        return includes(position.recordedAt(), position.transferId());
    }

    /** Whether the line of the transfer {@code transferId} recorded at {@code recordedAt} belongs to this query. */
    public boolean includes(Instant recordedAt, UUID transferId) {
        if (from != null && recordedAt.isBefore(from)) {
            return false;
        }
        if (to != null && !recordedAt.isBefore(to)) {
            return false;
        }
        if (after != null) {
            int c = recordedAt.compareTo(after.recordedAt());
            if (c == 0) {
                c = StatementCursor.compareUuids(transferId, after.transferId());
            }
            return direction == Direction.FORWARD ? c > 0 : c < 0;
        }
        return true;
    }
}

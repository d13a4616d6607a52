package dev.ledger.core;

import static dev.ledger.core.Rejections.assertRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.StatementQuery.Direction;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatementQueryTest {
    private static final AccountId ALICE = AccountId.of("alice");
    private static final Instant T = Instant.parse("2026-05-06T07:08:09Z");

    @Test
    void of_defaults_wholeStatementForwardInPagesOf100() {
        StatementQuery query = StatementQuery.of(ALICE);
        assertEquals(
                new StatementQuery(ALICE, null, null, null, StatementQuery.DEFAULT_LIMIT, Direction.FORWARD), query);
        assertEquals(100, query.limit());
    }

    @Test
    void withers_eachCalled_changesOneField() {
        StatementCursor cursor = new StatementCursor(T, UUID.randomUUID());
        StatementQuery query = StatementQuery.of(ALICE)
                .from(T)
                .to(T.plusSeconds(1))
                .after(cursor)
                .limit(7)
                .backward();
        assertEquals(new StatementQuery(ALICE, T, T.plusSeconds(1), cursor, 7, Direction.BACKWARD), query);
        assertEquals(Direction.FORWARD, query.forward().direction());
        assertNull(query.from(null).from());
        assertNull(query.after(null).after());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, StatementQuery.MAX_LIMIT + 1, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void limit_outOfRange_rejectedWithInvalidRequest(int limit) {
        assertRejects(
                RejectionReason.INVALID_REQUEST,
                () -> StatementQuery.of(ALICE).limit(limit),
                "limit " + limit + " is outside 1..1000");
    }

    @Test
    void limit_rangeEnds_accepted() {
        assertEquals(1, StatementQuery.of(ALICE).limit(1).limit());
        assertEquals(
                StatementQuery.MAX_LIMIT,
                StatementQuery.of(ALICE).limit(StatementQuery.MAX_LIMIT).limit());
    }

    @Test
    void timeRange_emptyOrReversed_rejectedWithInvalidRequest() {
        assertRejects(
                RejectionReason.INVALID_REQUEST,
                () -> StatementQuery.of(ALICE).from(T).to(T),
                "time range from " + T + " to " + T + " is empty");
        assertRejects(
                RejectionReason.INVALID_REQUEST,
                () -> StatementQuery.of(ALICE).to(T).from(T.plusNanos(1)),
                "is empty");
        assertEquals(
                T.plusNanos(1),
                StatementQuery.of(ALICE).from(T).to(T.plusNanos(1)).to(),
                "a nanosecond is a range");
    }

    @Test
    void timeBounds_outOfRange_rejectedWithInvalidInstant() {
        Instant tooEarly = RecordValidationTest.MIN.minusNanos(1);
        Instant tooLate = RecordValidationTest.MAX.plusNanos(1);
        assertRejects(
                RejectionReason.INVALID_INSTANT, () -> StatementQuery.of(ALICE).from(tooEarly), "from " + tooEarly);
        assertRejects(
                RejectionReason.INVALID_INSTANT, () -> StatementQuery.of(ALICE).to(tooLate), "to " + tooLate);
        assertRejects(
                RejectionReason.INVALID_INSTANT, () -> StatementQuery.of(ALICE).to(Instant.MAX), "to");
        assertEquals(
                RecordValidationTest.MIN,
                StatementQuery.of(ALICE).from(RecordValidationTest.MIN).from());
    }

    @Test
    void constructor_nulls_rejectedWithMissingValue() {
        assertRejects(RejectionReason.MISSING_VALUE, () -> StatementQuery.of(null), "account is null");
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> new StatementQuery(ALICE, null, null, null, 10, null),
                "direction is null");
    }

    @Test
    void includes_positionsAroundBoundsAndCursor_fromInclusiveToExclusiveAfterStrict() {
        UUID id = new UUID(0, 5);
        StatementQuery range = StatementQuery.of(ALICE).from(T).to(T.plusSeconds(10));
        assertTrue(range.includes(new StatementCursor(T, id)));
        assertFalse(range.includes(new StatementCursor(T.minusNanos(1000), id)));
        assertTrue(range.includes(new StatementCursor(T.plusSeconds(10).minusNanos(1000), id)));
        assertFalse(range.includes(new StatementCursor(T.plusSeconds(10), id)));
        StatementCursor after = new StatementCursor(T, id);
        assertFalse(range.after(after).includes(after));
        assertTrue(range.after(after).includes(new StatementCursor(T, new UUID(0, 6))));
        assertFalse(range.after(after).includes(new StatementCursor(T, new UUID(0, 4))));
        assertTrue(range.after(after).backward().includes(new StatementCursor(T, new UUID(0, 4))));
        assertFalse(range.after(after).backward().includes(new StatementCursor(T, new UUID(-1, 0))));
    }
}

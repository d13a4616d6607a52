package dev.ledger.core;

import static dev.ledger.core.Rejections.assertRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.OpenResult;
import dev.ledger.core.spi.TransferDraft;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The checks of the records a ledger hands out and stores build: accounts, transfers, statement values. */
class RecordValidationTest {
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");
    private static final UUID ID = UUID.fromString("00000000-0000-7000-8000-000000000001");
    private static final Instant T = Instant.parse("2026-03-04T05:06:07.123456Z");
    static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

    private static Transfer transfer(long index, long amount, Instant at) {
        return new Transfer(ID, ALICE, index, BOB, amount, "USD", at, null);
    }

    /** Instants a ledger cannot store, with what the message shows of each. */
    static Stream<Arguments> unstorableInstants() {
        return Stream.of(
                Arguments.of(MIN.minusNanos(1000), "0000-12-31T23:59:59.999999Z", "out of range"),
                Arguments.of(MAX.plusNanos(1000), "+10000-01-01T00:00:00Z", "out of range"),
                Arguments.of(Instant.MIN, Instant.MIN.toString(), "out of range"),
                Arguments.of(Instant.MAX, Instant.MAX.toString(), "out of range"),
                Arguments.of(T.plusNanos(1), "2026-03-04T05:06:07.123456001Z", "finer than a microsecond"),
                Arguments.of(MAX.plusNanos(1), "9999-12-31T23:59:59.999999001Z", "out of range"));
    }

    // ------------------------------------------------------------------------------------------------ account

    @Test
    void account_rangeEnds_accepted() {
        assertEquals(MIN, new Account(ALICE, "USD", false, MIN).openedAt());
        assertEquals(MAX, new Account(ALICE, "USD", true, MAX).openedAt());
    }

    @ParameterizedTest
    @MethodSource("unstorableInstants")
    void account_unstorableOpenedAt_rejectedWithInvalidInstant(Instant at, String shown, String why) {
        assertRejects(
                RejectionReason.INVALID_INSTANT,
                () -> new Account(ALICE, "USD", false, at),
                "openedAt of account alice " + shown,
                why);
    }

    @Test
    void account_nulls_rejectedWithMissingValue() {
        assertRejects(RejectionReason.MISSING_VALUE, () -> new Account(null, "USD", false, T), "account id is null");
        assertRejects(
                RejectionReason.MISSING_VALUE, () -> new Account(ALICE, null, false, T), "currency of account alice");
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> new Account(ALICE, "USD", false, null),
                "openedAt of account alice");
        assertRejects(RejectionReason.INVALID_CURRENCY, () -> new Account(ALICE, "usd", false, T), "'usd'");
    }

    // ----------------------------------------------------------------------------------------------- transfer

    @Test
    void transfer_valid_keepsFieldsAndComparesContent() {
        Transfer t = new Transfer(ID, ALICE, 3, BOB, 10, "USD", T, "memo");
        assertTrue(t.sameContentAs(ALICE, BOB, 10, "USD", "memo"));
        assertFalse(t.sameContentAs(ALICE, BOB, 10, "USD", null));
        assertFalse(t.sameContentAs(ALICE, BOB, 11, "USD", "memo"));
        assertFalse(t.sameContentAs(BOB, ALICE, 10, "USD", "memo"));
        assertFalse(t.sameContentAs(ALICE, AccountId.of("carol"), 10, "USD", "memo"));
        assertFalse(t.sameContentAs(ALICE, BOB, 10, "EUR", "memo"));
        assertTrue(transfer(0, 1, T).sameContentAs(ALICE, BOB, 1, "USD", null));
    }

    @Test
    void transfer_nulls_rejectedWithMissingValueNamingField() {
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> new Transfer(null, ALICE, 0, BOB, 1, "USD", T, null),
                "transfer id is null");
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> new Transfer(ID, null, 0, BOB, 1, "USD", T, null),
                "source of transfer " + ID);
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> new Transfer(ID, ALICE, 0, null, 1, "USD", T, null),
                "destination of transfer " + ID);
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> new Transfer(ID, ALICE, 0, BOB, 1, null, T, null),
                "currency of transfer " + ID);
        assertRejects(RejectionReason.MISSING_VALUE, () -> transfer(0, 1, null), "recordedAt of transfer " + ID);
    }

    @Test
    void transfer_badValues_rejectedWithReasonNamingValue() {
        assertRejects(
                RejectionReason.INVALID_REQUEST, () -> transfer(-1, 1, T), "source index of transfer " + ID + " is -1");
        assertRejects(
                RejectionReason.NON_POSITIVE_AMOUNT, () -> transfer(0, 0, T), "amount of transfer " + ID + " is 0");
        assertRejects(RejectionReason.NON_POSITIVE_AMOUNT, () -> transfer(0, -7, T), "is -7");
        assertRejects(
                RejectionReason.SAME_ACCOUNT, () -> new Transfer(ID, ALICE, 0, ALICE, 1, "USD", T, null), "alice");
        assertRejects(
                RejectionReason.INVALID_CURRENCY, () -> new Transfer(ID, ALICE, 0, BOB, 1, "usd", T, null), "'usd'");
        assertRejects(
                RejectionReason.INVALID_REFERENCE,
                () -> new Transfer(ID, ALICE, 0, BOB, 1, "USD", T, "a\u0000"),
                "NUL at index 1");
        assertRejects(
                RejectionReason.INVALID_REFERENCE,
                () -> new Transfer(ID, ALICE, 0, BOB, 1, "USD", T, "x".repeat(300)),
                "300 characters");
    }

    @ParameterizedTest
    @MethodSource("unstorableInstants")
    void transfer_unstorableRecordedAt_rejectedWithInvalidInstant(Instant at, String shown, String why) {
        assertRejects(
                RejectionReason.INVALID_INSTANT, () -> transfer(0, 1, at), "recordedAt of transfer " + ID, shown, why);
    }

    @Test
    void transferDraft_badValues_rejectedLikeRequests() {
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> new TransferDraft(null, ALICE, BOB, 1, "USD", null, T),
                "transfer id");
        assertRejects(
                RejectionReason.NON_POSITIVE_AMOUNT, () -> new TransferDraft(ID, ALICE, BOB, 0, "USD", null, T), "0");
        assertRejects(
                RejectionReason.SAME_ACCOUNT, () -> new TransferDraft(ID, ALICE, ALICE, 1, "USD", null, T), "alice");
        assertRejects(
                RejectionReason.INVALID_INSTANT,
                () -> new TransferDraft(ID, ALICE, BOB, 1, "USD", null, T.plusNanos(5)),
                "notBefore");
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> new TransferDraft(ID, ALICE, BOB, 1, "USD", null, null),
                "notBefore");
    }

    @Test
    void storeResults_nulls_rejectedWithNullPointerNamingField() {
        assertEquals(
                "transfer",
                assertThrows(NullPointerException.class, () -> new AppendResult.Recorded(null))
                        .getMessage());
        assertEquals(
                "existing",
                assertThrows(NullPointerException.class, () -> new AppendResult.AlreadyRecorded(null))
                        .getMessage());
        assertEquals(
                "detail",
                assertThrows(NullPointerException.class, () -> new AppendResult.Conflict(null))
                        .getMessage());
        assertEquals(
                "reason",
                assertThrows(NullPointerException.class, () -> new AppendResult.Rejected(null, "x"))
                        .getMessage());
        assertEquals(
                "funding",
                assertThrows(
                                NullPointerException.class,
                                () -> new OpenResult.Opened(new Account(ALICE, "USD", false, T), null))
                        .getMessage());
        assertEquals(
                "detail",
                assertThrows(
                                NullPointerException.class,
                                () -> new OpenResult.Rejected(RejectionReason.ACCOUNT_EXISTS, null))
                        .getMessage());
        assertEquals(
                Optional.empty(),
                new OpenResult.Opened(new Account(ALICE, "USD", false, T), Optional.empty()).funding());
    }

    // -------------------------------------------------------------------------------------- statement values

    @Test
    void statementCursor_order_timeThenIdAsUnsignedBytes() {
        UUID low = new UUID(0, 1);
        UUID high = new UUID(0x8000_0000_0000_0000L, 0);
        assertTrue(low.compareTo(high) > 0, "UUID.compareTo is signed");
        assertTrue(StatementCursor.compareUuids(low, high) < 0, "the ledger's order is unsigned");
        assertTrue(StatementCursor.compareUuids(new UUID(5, 1), new UUID(5, -1)) < 0);
        assertEquals(0, StatementCursor.compareUuids(high, new UUID(0x8000_0000_0000_0000L, 0)));
        StatementCursor a = new StatementCursor(T, high);
        StatementCursor b = new StatementCursor(T.plusNanos(1000), low);
        StatementCursor c = new StatementCursor(T, low);
        List<StatementCursor> sorted = new ArrayList<>(List.of(b, a, c));
        sorted.sort(StatementCursor.ORDER);
        assertEquals(List.of(c, a, b), sorted);
        assertTrue(c.compareTo(a) < 0 && a.compareTo(b) < 0 && b.compareTo(c) > 0);
        assertEquals(new StatementCursor(T, ID), StatementCursor.of(transfer(0, 1, T)));
    }

    @ParameterizedTest
    @MethodSource("unstorableInstants")
    void statementCursor_unstorableTime_rejectedWithInvalidInstant(Instant at, String shown, String why) {
        assertRejects(RejectionReason.INVALID_INSTANT, () -> new StatementCursor(at, ID), "cursor time " + shown, why);
    }

    @Test
    void statementCursor_nulls_rejectedWithMissingValue() {
        assertRejects(RejectionReason.MISSING_VALUE, () -> new StatementCursor(null, ID), "cursor time is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> new StatementCursor(T, null), "cursor transfer id is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> StatementCursor.of(null), "transfer is null");
    }

    @Test
    void statementLine_debitAndCredit_signAndCursor() {
        Transfer t = transfer(0, 5, T);
        assertTrue(new StatementLine(t, -5, -5).isDebit());
        assertFalse(new StatementLine(t, 5, 5).isDebit());
        assertEquals(StatementCursor.of(t), new StatementLine(t, 5, 5).cursor());
        assertRejects(RejectionReason.MISSING_VALUE, () -> new StatementLine(null, 5, 5), "transfer is null");
    }

    @Test
    void statementPage_lines_copiedAndImmutable() {
        List<StatementLine> lines = new ArrayList<>(List.of(new StatementLine(transfer(0, 5, T), 5, 5)));
        StatementPage page = new StatementPage(lines, null);
        lines.clear();
        assertEquals(1, page.lines().size());
        assertThrows(UnsupportedOperationException.class, () -> page.lines().clear());
        assertFalse(page.hasNext());
        assertTrue(new StatementPage(List.of(), new StatementCursor(T, ID)).hasNext());
        assertRejects(RejectionReason.MISSING_VALUE, () -> new StatementPage(null, null), "lines is null");
    }

    // ----------------------------------------------------------------------------------------------- reasons

    @Test
    void rejectionReasons_all_eachHasDistinctRule() {
        Set<String> rules = new HashSet<>();
        for (RejectionReason reason : RejectionReason.values()) {
            assertFalse(reason.rule().isBlank(), reason.name());
            assertTrue(rules.add(reason.rule()), "rule of " + reason + " repeats another's");
        }
    }

    @Test
    void ledgerRejectedException_message_reasonDetailAndRule() {
        LedgerRejectedException e = new LedgerRejectedException(RejectionReason.INSUFFICIENT_FUNDS, "alice has 3");
        assertEquals(
                "INSUFFICIENT_FUNDS: alice has 3 (rule: " + RejectionReason.INSUFFICIENT_FUNDS.rule() + ")",
                e.getMessage());
        assertSame(RejectionReason.INSUFFICIENT_FUNDS, e.reason());
        assertThrows(NullPointerException.class, () -> new LedgerRejectedException(null, "x"));
    }

    @Test
    void ledgerUnavailableException_withTransferId_keepsKindMessageAndCause() {
        IllegalStateException cause = new IllegalStateException("db down");
        LedgerUnavailableException e =
                new LedgerUnavailableException(LedgerUnavailableException.Kind.OUTCOME_UNKNOWN, "commit failed", cause);
        assertNull(e.transferId());
        assertTrue(e.outcomeUnknown());
        LedgerUnavailableException named = e.withTransferId(ID);
        assertEquals(ID, named.transferId());
        assertEquals(LedgerUnavailableException.Kind.OUTCOME_UNKNOWN, named.kind());
        assertEquals("OUTCOME_UNKNOWN: commit failed", named.getMessage());
        assertSame(cause, named.getCause());
        assertFalse(new LedgerUnavailableException(LedgerUnavailableException.Kind.RETRIES_EXHAUSTED, "x", null)
                .outcomeUnknown());
    }
}

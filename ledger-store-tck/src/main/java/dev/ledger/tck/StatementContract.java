package dev.ledger.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.StatementCursor;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Statements: both directions, keyset paging, time filters and the order of lines. */
public interface StatementContract extends LedgerFixture {

    /** Alice's history: 14 transfers at 5 clock readings (several per reading), in and out. Returns them in order. */
    private List<Transfer> aliceHistory(AccountId bank, AccountId alice, AccountId bob) {
        List<Transfer> all = new ArrayList<>();
        for (int instant = 0; instant < 5; instant++) {
            clock().advanceMicros(1_000);
            all.add(transfer(bank, alice, 100 + instant));
            all.add(transfer(alice, bob, 10 + instant));
            if (instant % 2 == 0) {
                all.add(transfer(bob, alice, 1 + instant));
            }
        }
        all.add(transfer(alice, bank, 7));
        all.sort((a, b) -> StatementCursor.ORDER.compare(StatementCursor.of(a), StatementCursor.of(b)));
        return all;
    }

    private List<Transfer> reversed(List<Transfer> transfers) {
        List<Transfer> copy = new ArrayList<>(transfers);
        Collections.reverse(copy);
        return copy;
    }

    private static List<Transfer> where(List<Transfer> transfers, Predicate<Transfer> keep) {
        return transfers.stream().filter(keep).toList();
    }

    @Test
    default void statement_noTransfers_emptyPageWithoutNext() {
        AccountId alice = openAccount("alice");
        StatementPage page = ledger().statement(StatementQuery.of(alice));
        assertEquals(List.of(), page.lines());
        assertNull(page.next());
        assertEquals(
                List.of(),
                ledger().statement(StatementQuery.of(alice).backward().limit(1)).lines());
    }

    @Test
    default void statement_debitsAndCredits_changeIsMinusAmountForDebitsAndPlusForCredits() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        Transfer in = transfer(bank, alice, 50);
        clock().advanceMicros(1);
        Transfer out = transfer(alice, bob, 20);
        List<StatementLine> lines = fullStatement(alice);
        assertEquals(List.of(new StatementLine(in, 50, 50), new StatementLine(out, -20, 30)), lines);
        assertTrue(lines.get(1).isDebit());
        assertEquals(List.of(new StatementLine(out, 20, 20)), fullStatement(bob));
        assertEquals(List.of(new StatementLine(in, -50, -50)), fullStatement(bank));
    }

    @Test
    default void statement_pagedWithSmallLimits_everyLineOnceInBothDirections() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        List<Transfer> history = aliceHistory(bank, alice, bob);
        assertEquals(14, history.size());
        for (int limit : new int[] {1, 2, 3, 4, 5, 7, 13, 14, 15, StatementQuery.MAX_LIMIT}) {
            assertEquals(history, transfers(statementBothWays(alice, limit, null, null)), "paged by " + limit);
            assertEquals(
                    reversed(history),
                    transfers(readAll(StatementQuery.of(alice).limit(limit).backward())),
                    "backward, paged by " + limit);
        }
    }

    @Test
    default void statement_lastPageExactlyFull_nextIsNull() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        List<Transfer> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            clock().advanceMicros(1);
            all.add(transfer(bank, alice, 1 + i));
        }
        StatementPage first = ledger().statement(StatementQuery.of(alice).limit(3));
        assertEquals(all.subList(0, 3), transfers(first.lines()));
        assertEquals(StatementCursor.of(all.get(2)), first.next());
        StatementPage second =
                ledger().statement(StatementQuery.of(alice).limit(3).after(first.next()));
        assertEquals(all.subList(3, 6), transfers(second.lines()));
        assertNull(second.next(), "no line follows the last page");
        assertNull(ledger().statement(StatementQuery.of(alice).limit(6)).next());
        StatementPage five = ledger().statement(StatementQuery.of(alice).limit(5));
        assertEquals(StatementCursor.of(all.get(4)), five.next());
        StatementPage rest =
                ledger().statement(StatementQuery.of(alice).limit(5).after(five.next()));
        assertEquals(List.of(all.get(5)), transfers(rest.lines()));
        assertNull(rest.next());
        StatementPage back =
                ledger().statement(StatementQuery.of(alice).limit(3).backward().after(first.next()));
        assertEquals(List.of(all.get(1), all.get(0)), transfers(back.lines()));
        assertNull(back.next());
        StatementPage beyond = ledger().statement(StatementQuery.of(alice).after(StatementCursor.of(all.get(5))));
        assertEquals(List.of(), beyond.lines());
        assertNull(beyond.next());
    }

    @Test
    default void statement_fromInclusiveToExclusive_filtersByRecordedTime() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        List<Transfer> history = aliceHistory(bank, alice, bob);
        List<Instant> times =
                history.stream().map(Transfer::recordedAt).distinct().sorted().toList();
        // Five clock readings; a debit of alice is dated a microsecond after the credit before it: 14 instants.
        assertEquals(14, times.size());
        Instant t1 = times.get(1);
        Instant t3 = times.get(3);
        List<Transfer> expected = where(
                history, t -> !t.recordedAt().isBefore(t1) && t.recordedAt().isBefore(t3));
        assertEquals(expected, transfers(statementBothWays(alice, 2, t1, t3)));
        assertEquals(expected, transfers(statementBothWays(alice, StatementQuery.MAX_LIMIT, t1, t3)));
        // A nanosecond past t1 excludes t1's lines; a nanosecond past t3 includes t3's.
        assertEquals(
                where(
                        history,
                        t -> t.recordedAt().isAfter(t1) && !t.recordedAt().isAfter(t3)),
                transfers(statementBothWays(alice, 3, t1.plusNanos(1), t3.plusNanos(1))));
        assertEquals(
                where(history, t -> !t.recordedAt().isBefore(t3)), transfers(statementBothWays(alice, 2, t3, null)));
        assertEquals(
                where(history, t -> t.recordedAt().isBefore(t1)), transfers(statementBothWays(alice, 2, null, t1)));
    }

    @Test
    default void statement_rangeWithoutLines_empty() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        List<Transfer> history = aliceHistory(bank, alice, bob);
        Instant first = history.get(0).recordedAt();
        Instant last = history.get(history.size() - 1).recordedAt();
        assertEquals(List.of(), statementBothWays(alice, 2, last.plusNanos(1), null));
        assertEquals(List.of(), statementBothWays(alice, 2, null, first));
        assertEquals(List.of(), statementBothWays(alice, 2, first.plusNanos(1), first.plusNanos(999)));
        StatementPage page = ledger().statement(StatementQuery.of(alice).from(last.plusSeconds(1)));
        assertEquals(List.of(), page.lines());
        assertNull(page.next());
    }

    @Test
    default void statement_timeRangeWithCursors_pagesStayWithinRange() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        List<Transfer> history = aliceHistory(bank, alice, bob);
        List<Instant> times =
                history.stream().map(Transfer::recordedAt).distinct().sorted().toList();
        Instant from = times.get(1);
        Instant to = times.get(4);
        List<Transfer> inRange = where(
                history, t -> !t.recordedAt().isBefore(from) && t.recordedAt().isBefore(to));
        // A cursor before the range: forward reading starts at 'from'.
        StatementCursor early = StatementCursor.of(history.get(0));
        assertEquals(
                inRange,
                transfers(readAll(
                        StatementQuery.of(alice).from(from).to(to).limit(2).after(early))));
        // A cursor after the range: backward reading starts before 'to'.
        StatementCursor late = StatementCursor.of(history.get(history.size() - 1));
        assertEquals(
                reversed(inRange),
                transfers(readAll(StatementQuery.of(alice)
                        .from(from)
                        .to(to)
                        .limit(2)
                        .backward()
                        .after(late))));
        // A cursor inside the range: reading continues strictly after (or before) it, and stops at the range's end.
        Transfer middle = inRange.get(inRange.size() / 2);
        int at = inRange.indexOf(middle);
        assertEquals(
                inRange.subList(at + 1, inRange.size()),
                transfers(readAll(
                        StatementQuery.of(alice).from(from).to(to).limit(2).after(StatementCursor.of(middle)))));
        assertEquals(
                reversed(inRange.subList(0, at)),
                transfers(readAll(StatementQuery.of(alice)
                        .from(from)
                        .to(to)
                        .limit(2)
                        .backward()
                        .after(StatementCursor.of(middle)))));
    }

    @Test
    default void statement_cursorNotOnAnyLine_readsStrictlyPastIt() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        List<Transfer> history = aliceHistory(bank, alice, bob);
        Instant t2 = history.stream()
                .map(Transfer::recordedAt)
                .distinct()
                .sorted()
                .toList()
                .get(2);
        StatementCursor lowest = new StatementCursor(t2, new UUID(0, 0));
        StatementCursor highest = new StatementCursor(t2, new UUID(-1, -1));
        assertEquals(
                where(history, t -> !t.recordedAt().isBefore(t2)),
                transfers(readAll(StatementQuery.of(alice).limit(4).after(lowest))));
        assertEquals(
                reversed(where(history, t -> t.recordedAt().isBefore(t2))),
                transfers(readAll(StatementQuery.of(alice).limit(4).backward().after(lowest))));
        assertEquals(
                where(history, t -> t.recordedAt().isAfter(t2)),
                transfers(readAll(StatementQuery.of(alice).limit(4).after(highest))));
        assertEquals(
                reversed(where(history, t -> !t.recordedAt().isAfter(t2))),
                transfers(readAll(StatementQuery.of(alice).limit(4).backward().after(highest))));
    }

    @Test
    default void statement_sameRecordedAt_orderedByIdAsUnsignedBytes() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        // Signed comparison (UUID.compareTo) would put the ids with the high bit set first.
        UUID[] ids = {
            new UUID(0xFFFF_FFFF_FFFF_FFFFL, 1), new UUID(0, 5), new UUID(0x8000_0000_0000_0000L, 0),
            new UUID(0x7FFF_FFFF_FFFF_FFFFL, -1), new UUID(0, 0x8000_0000_0000_0000L), new UUID(0, 1)
        };
        for (int i = 0; i < ids.length; i++) {
            transfer(TransferRequest.of(bank, alice, 1 + i, USD).withId(ids[i]));
        }
        List<UUID> expected = List.of(ids[5], ids[1], ids[4], ids[3], ids[2], ids[0]);
        for (int limit : new int[] {1, 2, 4, 100}) {
            List<StatementLine> lines = statementBothWays(alice, limit, null, null);
            assertEquals(expected, transfers(lines).stream().map(Transfer::id).toList(), "page size " + limit);
        }
    }

    @Test
    default void statement_sameInstantAcrossPages_noLineLostOrRepeated() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        List<Transfer> all = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            all.add(transfer(bank, alice, 1 + i));
        }
        all.sort((a, b) -> StatementCursor.compareUuids(a.id(), b.id()));
        for (int limit = 1; limit <= 4; limit++) {
            assertEquals(all, transfers(statementBothWays(alice, limit, null, null)), "page size " + limit);
        }
    }

    @Test
    default void statement_debitSpendingCreditOfSameClockReading_neverShowsNegativeBalance() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        // One clock reading for both; the ids are chosen so that, were both dated alike, the debit would sort first.
        Transfer credit = transfer(TransferRequest.of(bank, alice, 100, USD).withId(new UUID(-1L, -1L)));
        Transfer debit = transfer(TransferRequest.of(alice, bob, 100, USD).withId(new UUID(0L, 1L)));
        assertTrue(
                debit.recordedAt().isAfter(credit.recordedAt()),
                "the debit " + debit.recordedAt() + " is dated strictly after the credit it spends "
                        + credit.recordedAt());
        for (int limit : new int[] {1, 2, 10}) {
            List<StatementLine> lines = statementBothWays(alice, limit, null, null);
            assertEquals(List.of(credit, debit), transfers(lines), "page size " + limit);
            for (StatementLine line : lines) {
                assertTrue(line.balanceAfter() >= 0, "a non-issuer's statement line shows " + line.balanceAfter());
            }
        }
        assertEquals(100, ledger().balanceAsOf(alice, credit.recordedAt()));
    }

    @Test
    default void statement_oneTransfer_lineIsTheRecordedTransfer() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        Transfer t = transfer(TransferRequest.of(bank, alice, 3, USD).withReference("memo"));
        StatementPage page = ledger().statement(StatementQuery.of(alice).limit(1));
        assertNotNull(page.lines().get(0));
        assertEquals(t, page.lines().get(0).transfer());
        assertEquals(StatementCursor.of(t), page.lines().get(0).cursor());
    }
}

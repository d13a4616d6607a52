package dev.ledger.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.VerificationReport;
import dev.ledger.core.VerificationReport.Finding;
import dev.ledger.core.VerificationReport.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link LedgerVerifier} fed crafted rows directly: histories no store's API lets one record (a past overdraft, credits
 * beyond 2^63-1, a transfer dated in the future), with correct chains so that only the crafted problem exists.
 */
class LedgerVerifierTest {
    private static final long T0 = 1_767_258_000_000_000L; // 2026-01-01T09:00:00Z

    /** A transfer row: source_debits and the chain hash are derived when fed. */
    record Row(UUID id, String source, long index, String destination, long amount, long at) {}

    /** A tiny store: accounts (id -> issuer) and rows, fed in the orders the verifier expects. */
    static final class Book {
        final Map<String, Boolean> accounts = new TreeMap<>();
        final List<Row> rows = new ArrayList<>();
        final Map<String, Long> nextIndex = new HashMap<>();
        long nextId = 1;

        Book account(String id, boolean issuer) {
            accounts.put(id, issuer);
            return this;
        }

        Row transfer(String source, String destination, long amount, long at) {
            long index = nextIndex.merge(source, 1L, Long::sum) - 1;
            Row row = new Row(new UUID(0, nextId++), source, index, destination, amount, at);
            rows.add(row);
            return row;
        }

        VerificationReport verify(LedgerVerifier verifier) {
            accounts.forEach((id, issuer) -> verifier.account(id, "USD", issuer));
            List<Row> bySource = new ArrayList<>(rows);
            bySource.sort(Comparator.comparing(Row::source).thenComparingLong(Row::index));
            String source = null;
            byte[] hash = null;
            long debits = 0;
            for (Row r : bySource) {
                if (!r.source().equals(source)) {
                    source = r.source();
                    hash = TransferHashes.zero();
                    debits = 0;
                }
                hash = TransferHashes.chain(
                        hash,
                        TransferHashes.content(
                                r.id(), r.source(), r.index(), r.destination(), r.amount(), "USD", r.at(), null));
                debits += r.amount();
                verifier.transfer(
                        r.id(), r.source(), r.index(), r.destination(), r.amount(), "USD", r.at(), null, debits, hash);
            }
            record Leg(String account, long at, boolean credit, Row row) {}
            List<Leg> legs = new ArrayList<>();
            for (Row r : rows) {
                legs.add(new Leg(r.source(), r.at(), false, r));
                legs.add(new Leg(r.destination(), r.at(), true, r));
            }
            legs.sort(Comparator.comparing(Leg::account).thenComparingLong(Leg::at));
            for (Leg l : legs) {
                verifier.balanceChange(
                        l.account(),
                        l.at(),
                        l.credit(),
                        l.row().amount(),
                        l.row().id(),
                        l.row().source(),
                        l.row().index());
            }
            return verifier.finish();
        }

        VerificationReport verify() {
            return verify(new LedgerVerifier(List.of()));
        }
    }

    @Test
    void balanceChange_overdraftToppedUpLater_negativeBalanceAtTheDebit() {
        Book book = new Book().account("bank", true).account("alice", false).account("bob", false);
        Row overdraft = book.transfer("alice", "bob", 999_990, T0 + 1_000);
        book.transfer("bank", "alice", 1_000_000, T0 + 2_000);

        VerificationReport report = book.verify();

        assertEquals(1, report.findings().size(), report.describe());
        Finding f = report.findings().get(0);
        assertEquals(Kind.NEGATIVE_BALANCE, f.kind());
        assertEquals("alice", f.account());
        assertEquals(overdraft.id(), f.transferId());
        assertEquals(OptionalLong.of(0), f.index());
        assertTrue(f.message().contains("-999990"), f.message());
        assertTrue(f.message().contains("2026-01-01T09:00:00.001Z"), f.message());
        assertTrue(f.message().contains("final balance is 10"), f.message());
    }

    @Test
    void balanceChange_creditAtTheSameMicrosecondAsTheDebit_noFinding() {
        Book book = new Book().account("bank", true).account("alice", false).account("bob", false);
        book.transfer("alice", "bob", 40, T0); // fed before the credit: the instant is summed before checking
        book.transfer("bank", "alice", 50, T0);

        VerificationReport report = book.verify();

        assertTrue(report.ok(), report.describe());
    }

    @Test
    void balanceChange_negativeAtSeveralInstants_oneFindingCountingThem() {
        Book book = new Book().account("bank", true).account("alice", false).account("bob", false);
        Row first = book.transfer("alice", "bob", 10, T0 + 1);
        book.transfer("alice", "bob", 30, T0 + 2);
        book.transfer("bank", "alice", 25, T0 + 3);
        book.transfer("bank", "alice", 100, T0 + 4);

        VerificationReport report = book.verify();

        assertEquals(1, report.findings().size(), report.describe());
        Finding f = report.findings().get(0);
        assertEquals(Kind.NEGATIVE_BALANCE, f.kind());
        assertEquals(first.id(), f.transferId());
        assertTrue(f.message().contains("negative at 3 instants in all, lowest -40"), f.message());
    }

    @Test
    void balanceChange_issuerNegative_noFinding() {
        Book book = new Book().account("bank", true).account("alice", false);
        book.transfer("bank", "alice", Long.MAX_VALUE, T0);

        assertTrue(book.verify().ok());
    }

    @Test
    void balanceChange_accountNotGrouped_throws() {
        LedgerVerifier verifier = new LedgerVerifier(List.of());
        verifier.account("a", "USD", false);
        verifier.account("b", "USD", false);
        verifier.balanceChange("a", T0, true, 1, UUID.randomUUID(), "b", 0);
        verifier.balanceChange("b", T0, false, 1, UUID.randomUUID(), "b", 0);
        assertThrows(
                IllegalStateException.class,
                () -> verifier.balanceChange("a", T0 + 1, true, 1, UUID.randomUUID(), "b", 1));
    }

    @Test
    void balanceChange_timeGoesBack_throws() {
        LedgerVerifier verifier = new LedgerVerifier(List.of());
        verifier.account("a", "USD", false);
        verifier.balanceChange("a", T0, true, 1, UUID.randomUUID(), "b", 0);
        assertThrows(
                IllegalStateException.class,
                () -> verifier.balanceChange("a", T0 - 1, true, 1, UUID.randomUUID(), "b", 1));
    }

    /** The streamed check equals a brute-force one: the balance as of every distinct time of each account. */
    @Test
    void balanceChange_randomHistories_flagsExactlyTheAccountsNegativeAtSomeInstant() {
        long seed = Long.getLong("ledger.test.seed", System.nanoTime());
        System.out.println("LedgerVerifierTest seed=" + seed + " (replay with -Dledger.test.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            Book book = new Book().account("bank", true);
            int n = 2 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                book.account("a" + i, false);
            }
            // Times per source must not go back: draw times, then record each source's debits in time order.
            List<long[]> drawn = new ArrayList<>();
            for (int k = 0; k < 3 + random.nextInt(20); k++) {
                drawn.add(new long[] {
                    T0 + random.nextInt(8), random.nextInt(n + 1), random.nextInt(n), 1 + random.nextInt(20)
                });
            }
            drawn.sort(Comparator.comparingLong(d -> d[0]));
            for (long[] d : drawn) {
                String source = d[1] == n ? "bank" : "a" + d[1];
                String destination = "a" + d[2];
                if (!source.equals(destination)) {
                    book.transfer(source, destination, d[3], d[0]);
                }
            }
            Set<String> expected = new TreeSet<>();
            for (String account : book.accounts.keySet()) {
                if (book.accounts.get(account)) {
                    continue;
                }
                for (Row at : book.rows) {
                    long balance = 0;
                    for (Row r : book.rows) {
                        if (r.at() <= at.at()) {
                            balance += (r.destination().equals(account) ? r.amount() : 0)
                                    - (r.source().equals(account) ? r.amount() : 0);
                        }
                    }
                    if (balance < 0) {
                        expected.add(account);
                    }
                }
            }
            VerificationReport report = book.verify();
            Set<String> flagged = new TreeSet<>();
            for (Finding f : report.findings()) {
                assertEquals(
                        Kind.NEGATIVE_BALANCE, f.kind(), "seed " + seed + " round " + round + ": " + report.describe());
                assertTrue(flagged.add(f.account()), "one finding per account: " + report.describe());
            }
            assertEquals(expected, flagged, "seed " + seed + " round " + round + ": " + book.rows);
        }
    }

    @Test
    void balanceChange_creditsPass2pow63_balanceOverflowNamingTheTransferExactly() {
        Book book = new Book().account("bank-1", true).account("bank-2", true).account("whale", false);
        book.transfer("bank-1", "whale", 5_000_000_000_000_000_000L, T0);
        Row second = book.transfer("bank-2", "whale", 5_000_000_000_000_000_000L, T0 + 1);

        VerificationReport report = book.verify();

        assertEquals(1, report.findings().size(), report.describe());
        Finding f = report.findings().get(0);
        assertEquals(Kind.BALANCE_OVERFLOW, f.kind());
        assertEquals("whale", f.account());
        assertEquals(second.id(), f.transferId());
        assertEquals(OptionalLong.of(0), f.index());
        assertTrue(
                f.message().contains("credits")
                        && f.message().contains("'bank-2' index 0")
                        && f.message().contains("= 10000000000000000000"),
                f.message());
        // 10^19 wrapped to 64 bits
        assertFalse(report.describe().contains("8446744073709551616"), report.describe());
    }

    @Test
    void finish_legsNotFed_overflowStillReportedFromTheTotals() {
        LedgerVerifier verifier = new LedgerVerifier(List.of());
        verifier.account("bank-1", "USD", true);
        verifier.account("bank-2", "USD", true);
        verifier.account("whale", "USD", false);
        verifier.storedCredits("whale", new BigInteger("10000000000000000000"));
        for (int i = 1; i <= 2; i++) {
            UUID id = new UUID(0, i);
            byte[] hash = TransferHashes.chain(
                    TransferHashes.zero(),
                    TransferHashes.content(
                            id, "bank-" + i, 0, "whale", 5_000_000_000_000_000_000L, "USD", T0 + i, null));
            verifier.transfer(
                    id,
                    "bank-" + i,
                    0,
                    "whale",
                    5_000_000_000_000_000_000L,
                    "USD",
                    T0 + i,
                    null,
                    5_000_000_000_000_000_000L,
                    hash);
        }
        VerificationReport report = verifier.finish();

        assertEquals(1, report.findings().size(), report.describe());
        assertEquals(Kind.BALANCE_OVERFLOW, report.findings().get(0).kind());
        assertEquals("whale", report.findings().get(0).account());
        assertTrue(report.findings().get(0).message().contains("10000000000000000000"), report.describe());
        assertFalse(report.describe().contains("8446744073709551616"), report.describe());
    }

    @Test
    void latestAllowedTime_transferLaterThanTheBound_timeOutOfRange() {
        Book book = new Book().account("bank", true).account("alice", false);
        book.transfer("bank", "alice", 5, T0);
        Row late = book.transfer("bank", "alice", 7, T0 + 60_000_001);
        LedgerVerifier verifier = new LedgerVerifier(List.of());
        verifier.latestAllowedTime(T0 + 60_000_000);

        VerificationReport report = book.verify(verifier);

        assertEquals(1, report.findings().size(), report.describe());
        Finding f = report.findings().get(0);
        assertEquals(Kind.TIME_OUT_OF_RANGE, f.kind());
        assertEquals("bank", f.account());
        assertEquals(OptionalLong.of(1), f.index());
        assertEquals(late.id(), f.transferId());
        assertTrue(
                f.message().contains("2026-01-01T09:01:00.000001Z")
                        && f.message().contains("2026-01-01T09:01:00Z"),
                f.message());
    }

    @Test
    void latestAllowedTime_afterTheFirstTransfer_throws() {
        LedgerVerifier verifier = new LedgerVerifier(List.of());
        verifier.account("bank", "USD", true);
        verifier.transfer(UUID.randomUUID(), "bank", 0, "bank", 1, "USD", T0, null, 1, new byte[0]);
        assertThrows(IllegalStateException.class, () -> verifier.latestAllowedTime(T0));
    }

    @Test
    void transfer_recordedAtNotFinite_timeOutOfRange() {
        LedgerVerifier verifier = new LedgerVerifier(List.of());
        verifier.account("bank", "USD", true);
        verifier.account("alice", "USD", false);
        UUID id = UUID.randomUUID();
        verifier.transfer(id, "bank", 0, "alice", 1, "USD", null, null, 1, new byte[0]);

        VerificationReport report = verifier.finish();

        assertEquals(1, report.findings().size(), report.describe());
        assertEquals(Kind.TIME_OUT_OF_RANGE, report.findings().get(0).kind());
        assertEquals(id, report.findings().get(0).transferId());
    }
}

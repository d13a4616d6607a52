package dev.ledger.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.TransferKind;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.VerificationReport.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link LedgerVerifier} fed two-phase histories no store lets one record (a pending resolved twice, a post above its
 * hold or after its expiry, a hold that took an account below its limit), each with correct chains and debits so that
 * only the crafted problem exists; and a sound history, which must pass.
 */
class PendingVerifyTest {
    private static final long T0 = 1_767_258_000_000_000L; // 2026-01-01T09:00:00Z

    record Row(
            UUID id,
            String source,
            long index,
            String destination,
            long amount,
            long at,
            TransferKind kind,
            @Nullable UUID pendingId,
            @Nullable Long expires) {
        long posted() {
            return kind == TransferKind.IMMEDIATE || kind == TransferKind.POST ? amount : 0;
        }
    }

    /** Accounts (bank is the issuer; wallet is capped at 100) and rows, fed as a store feeds them. */
    private static final class Book {
        final List<Row> rows = new ArrayList<>();
        long nextId = 1;

        Row add(
                String source,
                String destination,
                long amount,
                long at,
                TransferKind kind,
                @Nullable UUID pendingId,
                @Nullable Long expires) {
            long index = rows.stream().filter(r -> r.source().equals(source)).count();
            Row row = new Row(new UUID(0, nextId++), source, index, destination, amount, at, kind, pendingId, expires);
            rows.add(row);
            return row;
        }

        Row pay(String source, String destination, long amount, long at) {
            return add(source, destination, amount, at, TransferKind.IMMEDIATE, null, null);
        }

        Row hold(String source, String destination, long amount, long at, @Nullable Long expires) {
            return add(source, destination, amount, at, TransferKind.PENDING, null, expires);
        }

        Row resolve(Row pending, TransferKind kind, long amount, long at) {
            return add(pending.source(), pending.destination(), amount, at, kind, pending.id(), null);
        }

        VerificationReport verify() {
            LedgerVerifier verifier = new LedgerVerifier(List.of());
            verifier.account("a", "USD", false);
            verifier.account("b", "USD", false);
            verifier.account("bank", "USD", true);
            verifier.account("wallet", "USD", false, 0, 100);
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
                                r.id(),
                                r.source(),
                                r.index(),
                                r.destination(),
                                r.amount(),
                                "USD",
                                r.at(),
                                null,
                                Map.of(),
                                r.kind(),
                                r.pendingId(),
                                r.expires()));
                debits += r.posted();
                verifier.transfer(
                        r.id(),
                        r.source(),
                        r.index(),
                        r.destination(),
                        r.amount(),
                        "USD",
                        r.at(),
                        null,
                        Map.of(),
                        r.kind(),
                        r.pendingId(),
                        r.expires(),
                        debits,
                        hash);
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
                        l.row().posted(),
                        l.row().id(),
                        l.row().source(),
                        l.row().index());
            }
            return verifier.finish();
        }
    }

    private static void assertOnly(Kind kind, VerificationReport report, String... named) {
        assertEquals(
                List.of(kind),
                report.findings().stream()
                        .map(VerificationReport.Finding::kind)
                        .distinct()
                        .toList(),
                report.describe());
        for (String n : named) {
            assertTrue(report.describe().contains(n), () -> "names " + n + ": " + report.describe());
        }
    }

    private static Book funded() {
        Book book = new Book();
        book.pay("bank", "a", 100, T0);
        return book;
    }

    @Test
    void verify_soundHoldsPostsVoidsAndExpiries_noFinding() {
        Book book = funded();
        Row hold = book.hold("a", "b", 60, T0 + 1, T0 + 100);
        book.resolve(hold, TransferKind.POST, 45, T0 + 2);
        Row other = book.hold("a", "wallet", 55, T0 + 3, null);
        book.resolve(other, TransferKind.VOID, 55, T0 + 4);
        book.hold("a", "b", 55, T0 + 5, T0 + 6); // expires unresolved
        book.pay("a", "b", 55, T0 + 6); // its hold has expired: available is 55 again
        VerificationReport report = book.verify();
        assertEquals(0, report.findings().size(), report.describe());
    }

    @Test
    void verify_pendingResolvedTwice_reported() {
        Book book = funded();
        Row hold = book.hold("a", "b", 50, T0 + 1, null);
        book.resolve(hold, TransferKind.POST, 10, T0 + 2);
        Row second = book.resolve(hold, TransferKind.VOID, 50, T0 + 3);
        assertOnly(
                Kind.PENDING_RESOLUTION_INVALID,
                book.verify(),
                "already resolved",
                second.id().toString());
    }

    @Test
    void verify_postAboveItsHold_reported() {
        Book book = funded();
        Row hold = book.hold("a", "b", 50, T0 + 1, null);
        book.resolve(hold, TransferKind.POST, 51, T0 + 2);
        assertOnly(Kind.PENDING_RESOLUTION_INVALID, book.verify(), "posts 51", "held 50");
    }

    @Test
    void verify_postAtTheExpiryInstant_reported() {
        Book book = funded();
        Row hold = book.hold("a", "b", 50, T0 + 1, T0 + 10);
        book.resolve(hold, TransferKind.POST, 50, T0 + 10);
        assertOnly(Kind.PENDING_RESOLUTION_INVALID, book.verify(), "at or after the expiry");
    }

    @Test
    void verify_resolutionOfNoPendingOfItsSource_reported() {
        Book book = funded();
        book.pay("bank", "b", 100, T0);
        Row hold = book.hold("b", "a", 50, T0 + 1, null);
        book.add("a", "b", 50, T0 + 2, TransferKind.VOID, hold.id(), null); // a voids b's hold
        assertOnly(Kind.PENDING_RESOLUTION_INVALID, book.verify(), "not a pending transfer of");
    }

    @Test
    void verify_debitWhileAHoldUsesTheFunds_reportedBelowTheLowerLimit() {
        Book book = funded();
        book.hold("a", "b", 80, T0 + 1, T0 + 50);
        book.pay("a", "b", 30, T0 + 2); // available 20 < 30: the balance minus holds goes to -10
        assertOnly(Kind.NEGATIVE_BALANCE, book.verify(), "-10");
    }

    @Test
    void verify_creditBeyondTheCapCountingPendingCredits_reported() {
        Book book = funded();
        book.pay("bank", "b", 100, T0);
        book.hold("a", "wallet", 80, T0 + 1, null);
        book.pay("b", "wallet", 30, T0 + 2); // posted 30 + pending 80 > 100
        assertOnly(Kind.UPPER_LIMIT_EXCEEDED, book.verify(), "110");
    }
}

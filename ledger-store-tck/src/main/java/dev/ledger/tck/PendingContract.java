package dev.ledger.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.BatchMode;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.PendingStatus;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementLine;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferKind;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.TransferResult;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two-phase transfers: a pending transfer holds its amount (the source's available balance drops, nothing is posted); a
 * post moves all or part of it and releases the rest; a void releases it all; one resolution each, before the expiry;
 * balances posted, pending and available, now and as of any instant.
 */
public interface PendingContract extends LedgerFixture {

    /** Records a two-phase request through the ledger, checks the recorded transfer and the books. */
    private Transfer record(TransferRequest request) {
        Instant now = clock().instant();
        Transfer t = ledger().transfer(request);
        assertEquals(request.kind(), t.kind(), "kind of " + t);
        assertEquals(request.pendingId(), t.pendingId(), "pending id of " + t);
        assertEquals(books().nextIndex(request.source()), t.sourceIndex(), "every kind takes the source's next index");
        assertEquals(books().expectedRecordedAt(request.source(), now), t.recordedAt(), "recorded time of " + t);
        assertEquals(java.util.Optional.of(t), ledger().findTransfer(t.id()), "findTransfer of " + t);
        books().recorded(t);
        assertBalances();
        return t;
    }

    private void assertViews(AccountId id, long posted, long pendingDebits, long pendingCredits) {
        Balances b = ledger().balances(id);
        assertEquals(new Balances(posted, pendingDebits, pendingCredits), b, "balances of " + id);
        assertEquals(posted - pendingDebits, b.available(), "available of " + id);
        assertEquals(posted, ledger().balance(id), "balance of " + id + " is the posted balance");
    }

    /** The status on {@code pending}'s line of the account's statement. */
    private PendingStatus statusOf(AccountId account, Transfer pending) {
        return Objects.requireNonNull(
                fullStatement(account).stream()
                        .filter(l -> l.transfer().id().equals(pending.id()))
                        .findFirst()
                        .orElseThrow()
                        .pendingStatus(),
                "pending status");
    }

    @Test
    default void pending_thenPartialPost_holdsThenMovesThePostedPartAndReleasesTheRest() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100_00, bank);
        AccountId shop = openAccount("shop");
        clock().advanceMicros(10);
        Transfer hold = record(TransferRequest.pending(alice, shop, 50_00, USD));
        assertEquals(TransferKind.PENDING, hold.kind());
        assertNull(hold.expiresAt());
        assertViews(alice, 100_00, 50_00, 0);
        assertViews(shop, 0, 0, 50_00);
        clock().advanceMicros(10);
        Transfer capture = record(TransferRequest.post(hold, 42_50));
        assertEquals(TransferKind.POST, capture.kind());
        assertEquals(hold.id(), capture.pendingId());
        assertEquals(42_50, capture.postedAmount());
        assertViews(alice, 57_50, 0, 0);
        assertViews(shop, 42_50, 0, 0);
        // exactly one resolution: a second post, or a void, is refused and says why
        assertRejected(
                RejectionReason.PENDING_ALREADY_POSTED,
                () -> ledger().transfer(TransferRequest.post(hold, 7_50)),
                hold.id());
        assertRejected(
                RejectionReason.PENDING_ALREADY_POSTED,
                () -> ledger().transfer(TransferRequest.voidPending(hold)),
                hold.id());
        // statements show each kind, the posted balance moving only with the post
        List<StatementLine> lines = fullStatement(alice);
        assertEquals(
                List.of(TransferKind.IMMEDIATE, TransferKind.PENDING, TransferKind.POST),
                lines.stream().map(l -> l.transfer().kind()).toList());
        assertEquals(
                List.of(100_00L, 0L, -42_50L),
                lines.stream().map(StatementLine::change).toList());
        assertEquals(
                List.of(100_00L, 100_00L, 57_50L),
                lines.stream().map(StatementLine::balanceAfter).toList());
        assertEquals(PendingStatus.POSTED, lines.get(1).pendingStatus(), "the hold's line says it was posted");
        assertNull(lines.get(2).pendingStatus());
        assertEquals(
                List.of(0L, 42_50L),
                fullStatement(shop).stream().map(StatementLine::change).toList());
        // as of the instants in between
        assertEquals(new Balances(100_00, 50_00, 0), ledger().balancesAsOf(alice, hold.recordedAt()));
        assertEquals(
                new Balances(100_00, 0, 0),
                ledger().balancesAsOf(alice, hold.recordedAt().minusNanos(1_000)));
        assertEquals(new Balances(57_50, 0, 0), ledger().balancesAsOf(alice, capture.recordedAt()));
        assertEquals(new Balances(0, 0, 50_00), ledger().balancesAsOf(shop, hold.recordedAt()));
    }

    @Test
    default void voidPending_releasesTheWholeHold_andAPostAfterItIsRefused() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId shop = openAccount("shop");
        Transfer hold = record(TransferRequest.pending(alice, shop, 80, USD));
        assertRejected(
                RejectionReason.INSUFFICIENT_FUNDS,
                () -> ledger().transfer(TransferRequest.of(alice, shop, 21, USD)),
                alice,
                "20");
        assertRejected(
                RejectionReason.INSUFFICIENT_FUNDS,
                () -> ledger().transfer(TransferRequest.pending(alice, shop, 21, USD)),
                alice);
        Transfer voided = record(TransferRequest.voidPending(hold));
        assertEquals(TransferKind.VOID, voided.kind());
        assertEquals(80, voided.amount());
        assertViews(alice, 100, 0, 0);
        assertViews(shop, 0, 0, 0);
        assertEquals(PendingStatus.VOIDED, statusOf(shop, hold));
        assertRejected(
                RejectionReason.PENDING_ALREADY_VOIDED,
                () -> ledger().transfer(TransferRequest.post(hold, 1)),
                hold.id());
        transfer(alice, shop, 100);
    }

    @Test
    default void post_moreThanHeldUnknownOrMismatched_rejectedWithTheRule() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId shop = openAccount("shop");
        AccountId other = openAccount("other");
        Transfer hold = record(TransferRequest.pending(alice, shop, 60, USD));
        assertRejected(
                RejectionReason.POST_EXCEEDS_PENDING,
                () -> ledger().transfer(TransferRequest.post(hold, 61)),
                "61",
                "60");
        UUID unknown = UUID.randomUUID();
        assertRejected(
                RejectionReason.PENDING_NOT_FOUND,
                () -> ledger().transfer(new TransferRequest(
                        null, alice, shop, 1, USD, null, Map.of(), TransferKind.POST, unknown, null, null)),
                unknown);
        Transfer plain = transfer(alice, shop, 10);
        assertRejected(
                RejectionReason.PENDING_NOT_FOUND,
                () -> ledger().transfer(new TransferRequest(
                        null, alice, shop, 1, USD, null, Map.of(), TransferKind.POST, plain.id(), null, null)),
                plain.id());
        LedgerRejectedException e = assertThrows(LedgerRejectedException.class, () -> TransferRequest.post(plain, 1));
        assertEquals(RejectionReason.PENDING_NOT_FOUND, e.reason());
        assertRejected(
                RejectionReason.PENDING_MISMATCH,
                () -> ledger().transfer(new TransferRequest(
                        null, alice, other, 1, USD, null, Map.of(), TransferKind.POST, hold.id(), null, null)),
                hold.id(),
                other);
        assertRejected(
                RejectionReason.PENDING_MISMATCH,
                () -> ledger().transfer(new TransferRequest(
                        null, alice, shop, 59, USD, null, Map.of(), TransferKind.VOID, hold.id(), null, null)),
                hold.id());
        // a post names its pending's source: one of another source is not found among that source's pendings
        AccountId bob = openFunded("bob", 100, bank);
        assertRejected(
                RejectionReason.PENDING_NOT_FOUND,
                () -> ledger().transfer(new TransferRequest(
                        null, bob, shop, 1, USD, null, Map.of(), TransferKind.POST, hold.id(), null, null)),
                hold.id());
        record(TransferRequest.post(hold, 60));
        assertViews(alice, 30, 0, 0);
    }

    @Test
    default void pending_withExpiry_countsUntilTheExpiryInstantExclusive_andIsVoidFromItOn() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId shop = openAccount("shop");
        clock().advanceMicros(10);
        Transfer hold = record(TransferRequest.pending(alice, shop, 70, USD).withTimeout(Duration.ofSeconds(10)));
        Instant expiry = hold.recordedAt().plusSeconds(10);
        assertEquals(expiry, hold.expiresAt());
        Instant justBefore = expiry.minus(1, ChronoUnit.MICROS);
        assertEquals(new Balances(100, 70, 0), ledger().balancesAsOf(alice, justBefore));
        assertEquals(new Balances(0, 0, 70), ledger().balancesAsOf(shop, justBefore));
        assertEquals(new Balances(100, 0, 0), ledger().balancesAsOf(alice, expiry));
        assertEquals(new Balances(0, 0, 0), ledger().balancesAsOf(shop, expiry));
        // while it holds, only the rest is available
        assertRejected(
                RejectionReason.INSUFFICIENT_FUNDS,
                () -> ledger().transfer(TransferRequest.of(alice, shop, 31, USD)),
                alice);
        assertViews(alice, 100, 70, 0);
        clock().set(justBefore);
        assertEquals(PendingStatus.PENDING, statusOf(alice, hold));
        // at the expiry instant it is void: a post is refused, the hold is released without any job having run
        clock().set(expiry);
        assertViews(alice, 100, 0, 0);
        assertViews(shop, 0, 0, 0);
        assertEquals(PendingStatus.EXPIRED, statusOf(alice, hold));
        assertEquals(PendingStatus.EXPIRED, statusOf(shop, hold));
        assertRejected(
                RejectionReason.PENDING_EXPIRED,
                () -> ledger().transfer(TransferRequest.post(hold, 70)),
                hold.id(),
                expiry);
        assertRejected(
                RejectionReason.PENDING_EXPIRED, () -> ledger().transfer(TransferRequest.voidPending(hold)), hold.id());
        transfer(alice, shop, 100);
    }

    @Test
    default void post_oneMicrosecondBeforeTheExpiry_isRecorded() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId shop = openAccount("shop");
        Instant expiry = clock().instant().plusSeconds(60);
        Transfer hold = record(TransferRequest.pending(alice, shop, 70, USD).withExpiresAt(expiry));
        assertEquals(expiry, hold.expiresAt());
        clock().set(expiry.minus(1, ChronoUnit.MICROS));
        Transfer post = record(TransferRequest.post(hold, 70));
        assertEquals(expiry.minus(1, ChronoUnit.MICROS), post.recordedAt());
        assertViews(alice, 30, 0, 0);
        assertViews(shop, 70, 0, 0);
    }

    @Test
    default void pending_expiryNotAfterItsRecording_rejectedAsInvalidExpiry() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId shop = openAccount("shop");
        clock().advanceMicros(10);
        Instant now = clock().instant();
        assertRejected(
                RejectionReason.INVALID_EXPIRY,
                () -> ledger().transfer(
                                TransferRequest.pending(alice, shop, 1, USD).withExpiresAt(now)),
                now);
        assertRejected(RejectionReason.INVALID_EXPIRY, () -> ledger().transfer(
                        TransferRequest.pending(alice, shop, 1, USD).withExpiresAt(now.minusSeconds(1))));
        for (Duration bad :
                List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofNanos(1), Duration.ofDays(40_000))) {
            LedgerRejectedException e =
                    assertThrows(LedgerRejectedException.class, () -> TransferRequest.pending(alice, shop, 1, USD)
                            .withTimeout(bad));
            assertEquals(RejectionReason.INVALID_EXPIRY, e.reason(), e.getMessage());
        }
        LedgerRejectedException e =
                assertThrows(LedgerRejectedException.class, () -> TransferRequest.of(alice, shop, 1, USD)
                        .withTimeout(Duration.ofSeconds(1)));
        assertEquals(RejectionReason.INVALID_EXPIRY, e.reason(), e.getMessage());
        assertTrue(String.valueOf(e.getMessage()).contains(e.reason().rule()), e.getMessage());
    }

    @Test
    default void pending_againstLowerAndUpperLimits_countsHoldsAgainstBoth() {
        AccountId bank = openIssuer("bank");
        AccountId alice = AccountId.of("alice");
        open(NewAccount.of(alice, USD).withLowerLimit(-50));
        AccountId wallet = AccountId.of("wallet");
        open(NewAccount.of(wallet, USD).withUpperLimit(100));
        // alice's overdraft line: a hold may use it, and pending debits count against it
        Transfer hold = record(TransferRequest.pending(alice, wallet, 50, USD));
        assertViews(alice, 0, 50, 0);
        assertRejected(
                RejectionReason.INSUFFICIENT_FUNDS,
                () -> ledger().transfer(TransferRequest.pending(alice, wallet, 1, USD)),
                alice,
                "-50");
        // the wallet's cap: pending credits count towards it, so a credit that fits only without them is refused
        assertRejected(
                RejectionReason.UPPER_LIMIT_EXCEEDED,
                () -> ledger().transfer(TransferRequest.of(bank, wallet, 51, USD)),
                wallet,
                "100");
        assertRejected(
                RejectionReason.UPPER_LIMIT_EXCEEDED,
                () -> ledger().transfer(TransferRequest.pending(bank, wallet, 51, USD)),
                wallet);
        transfer(bank, wallet, 50);
        assertViews(wallet, 50, 0, 50);
        record(TransferRequest.post(hold, 20));
        assertViews(alice, -20, 0, 0);
        assertViews(wallet, 70, 0, 0);
        transfer(bank, wallet, 30);
        assertViews(wallet, 100, 0, 0);
    }

    @Test
    default void transfer_replayOfAPostOrPending_returnsTheOriginal_otherContentRejected() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId shop = openAccount("shop");
        UUID holdId = UUID.randomUUID();
        TransferRequest pending = TransferRequest.pending(alice, shop, 40, USD)
                .withTimeout(Duration.ofHours(1))
                .withId(holdId);
        Transfer hold = record(pending);
        clock().advance(Duration.ofSeconds(5));
        assertEquals(hold, ledger().transfer(pending), "a replay with the same timeout returns the original");
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(pending.withTimeout(Duration.ofHours(2))),
                holdId);
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(TransferRequest.of(alice, shop, 40, USD).withId(holdId)),
                holdId);
        UUID postId = UUID.randomUUID();
        TransferRequest post = TransferRequest.post(hold, 30).withId(postId);
        Transfer posted = record(post);
        assertEquals(posted, ledger().transfer(post));
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(TransferRequest.post(hold, 31).withId(postId)),
                postId);
        assertViews(alice, 70, 0, 0);
    }

    @Test
    default void transferBatch_linkedPendingAndPost_allOrNothing_independentMixesKinds() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId shop = openAccount("shop");
        Transfer hold = record(TransferRequest.pending(alice, shop, 30, USD));
        // linked: a void and a post of the same pending cannot both be recorded: nothing is
        LedgerRejectedException e = assertRejected(RejectionReason.PENDING_ALREADY_VOIDED, () -> ledger().transferBatch(
                        List.of(TransferRequest.voidPending(hold), TransferRequest.post(hold, 10)), BatchMode.LINKED));
        assertEquals(1, e.position().orElseThrow());
        assertViews(alice, 100, 30, 0);
        List<TransferResult> results = ledger().transferBatch(
                        List.of(
                                TransferRequest.post(hold, 10),
                                TransferRequest.pending(alice, shop, 90, USD),
                                TransferRequest.pending(alice, shop, 80, USD),
                                TransferRequest.of(alice, shop, 5, USD)),
                        BatchMode.INDEPENDENT);
        for (TransferResult r : results) {
            if (r instanceof TransferResult.Recorded recorded) {
                books().recorded(recorded.transfer());
            }
        }
        assertTrue(results.get(0) instanceof TransferResult.Recorded, results.toString());
        assertTrue(results.get(1) instanceof TransferResult.Recorded, results.toString());
        assertEquals(RejectionReason.INSUFFICIENT_FUNDS, ((TransferResult.Rejected) results.get(2)).reason());
        assertEquals(
                RejectionReason.INSUFFICIENT_FUNDS,
                ((TransferResult.Rejected) results.get(3)).reason(),
                "90 of the 90 left are held");
        assertViews(alice, 90, 90, 0);
        assertViews(shop, 10, 0, 90);
    }

    /** Posts and voids of one pending transfer race from many threads: exactly one wins, every time. */
    @Test
    default void postAndVoid_raceOnOnePending_exactlyOneResolutionWins() throws Exception {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 1_000_000, bank);
        AccountId shop = openAccount("shop");
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                Transfer hold = record(TransferRequest.pending(alice, shop, 100, USD));
                CountDownLatch start = new CountDownLatch(1);
                List<Callable<Transfer>> callers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    TransferRequest request =
                            t % 2 == 0 ? TransferRequest.post(hold, 60) : TransferRequest.voidPending(hold);
                    callers.add(() -> {
                        start.await();
                        try {
                            return ledger().transfer(request);
                        } catch (LedgerRejectedException e) {
                            assertTrue(
                                    e.reason() == RejectionReason.PENDING_ALREADY_POSTED
                                            || e.reason() == RejectionReason.PENDING_ALREADY_VOIDED,
                                    e.getMessage());
                            return null;
                        }
                    });
                }
                List<Future<Transfer>> futures = new ArrayList<>();
                for (Callable<Transfer> c : callers) {
                    futures.add(pool.submit(c));
                }
                start.countDown();
                List<Transfer> winners = new ArrayList<>();
                for (Future<Transfer> f : futures) {
                    Transfer t = f.get(60, TimeUnit.SECONDS);
                    if (t != null) {
                        winners.add(t);
                    }
                }
                assertEquals(1, winners.size(), "round " + round + ": exactly one resolution, got " + winners);
                Transfer winner = winners.get(0);
                assertEquals(hold.id(), winner.pendingId());
                books().recorded(winner);
                assertBalances();
                assertEquals(0, ledger().balances(alice).pendingDebits());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

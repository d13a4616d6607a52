package dev.ledger.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.TransferResult;
import dev.ledger.testing.ConcurrentRun;
import dev.ledger.testing.ConcurrentRun.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Batches: independent items stand alone, linked items all or nothing, both in list order, replays by id. */
public interface BatchContract extends LedgerFixture {

    /** Records the batch and keeps the books: every newly recorded item is applied to them. */
    private List<TransferResult> batch(BatchMode mode, TransferRequest... requests) {
        List<TransferResult> results = ledger().transferBatch(List.of(requests), mode);
        assertEquals(requests.length, results.size(), "one result per item");
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof TransferResult.Recorded r) {
                TransferRequest q = requests[i];
                assertTrue(
                        r.transfer()
                                .sameContentAs(q.source(), q.destination(), q.amount(), q.currency(), q.reference()),
                        "item " + i + " recorded as requested: " + r.transfer());
                if (q.id() != null) {
                    assertEquals(q.id(), r.transfer().id());
                }
                if (!r.replayed()) {
                    books().recorded(r.transfer());
                }
                assertEquals(
                        Optional.of(r.transfer()),
                        ledger().findTransfer(r.transfer().id()));
            }
        }
        assertBalances();
        return results;
    }

    private static TransferRequest req(AccountId source, AccountId destination, long amount) {
        return TransferRequest.of(source, destination, amount, USD).withId(UUID.randomUUID());
    }

    private static Transfer recorded(TransferResult result) {
        return assertInstanceOf(TransferResult.Recorded.class, result).transfer();
    }

    @Test
    default void transferBatch_linkedFailingAtLastItem_recordsNothing() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        Snapshot before = snapshot();
        TransferRequest first = req(alice, bob, 40);
        TransferRequest second = req(bob, alice, 10);
        TransferRequest last = req(alice, bob, 71); // 70 left after the first two
        LedgerRejectedException e = assertThrows(LedgerRejectedException.class, () -> ledger().transferBatch(
                        List.of(first, second, last), BatchMode.LINKED));
        assertEquals(RejectionReason.INSUFFICIENT_FUNDS, e.reason(), e.getMessage());
        assertEquals(2, e.position().orElseThrow(), e.getMessage());
        assertTrue(
                String.valueOf(e.getMessage()).contains("item 2")
                        && String.valueOf(e.getMessage()).contains("nothing of the batch was recorded"),
                e.getMessage());
        assertEquals(before, snapshot(), "a rejected linked batch records nothing");
        for (TransferRequest r : List.of(first, second, last)) {
            assertEquals(
                    Optional.empty(),
                    ledger().findTransfer(Objects.requireNonNull(r.id())),
                    "item " + r.id() + " is not recorded");
        }
        // The ids are free: the same items without the failing one are recorded.
        List<TransferResult> ok = batch(BatchMode.LINKED, first, second);
        assertEquals(0, recorded(ok.get(0)).sourceIndex());
        assertBalance(alice, 70);
        assertBalance(bob, 30);
    }

    @Test
    default void transferBatch_independentWithRejectedMiddleItem_othersRecordedInOrder() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        AccountId eve = openAccount("eve", "EUR");
        List<TransferResult> results =
                batch(BatchMode.INDEPENDENT, req(alice, bob, 30), req(alice, eve, 5), req(alice, bob, 20));
        Transfer a = recorded(results.get(0));
        TransferResult.Rejected rejected = assertInstanceOf(TransferResult.Rejected.class, results.get(1));
        assertEquals(RejectionReason.CURRENCY_MISMATCH, rejected.reason());
        assertEquals(RejectionReason.CURRENCY_MISMATCH, rejected.toException().reason());
        Transfer c = recorded(results.get(2));
        assertEquals(0, a.sourceIndex());
        assertEquals(1, c.sourceIndex(), "a rejected item takes no index");
        assertFalse(c.recordedAt().isBefore(a.recordedAt()));
        assertBalance(alice, 50);
        assertBalance(bob, 50);
    }

    @Test
    default void transferBatch_oneSourceSpendingDownToZero_lastUnitRefused() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        AccountId carol = openAccount("carol");
        List<TransferResult> results = batch(
                BatchMode.INDEPENDENT,
                req(alice, bob, 60),
                req(alice, carol, 30),
                req(alice, bob, 10),
                req(alice, carol, 1));
        for (int i = 0; i < 3; i++) {
            assertEquals(i, recorded(results.get(i)).sourceIndex());
        }
        assertEquals(
                RejectionReason.INSUFFICIENT_FUNDS,
                assertInstanceOf(TransferResult.Rejected.class, results.get(3)).reason());
        assertBalance(alice, 0);
        // Linked: down to exactly zero is allowed.
        AccountId dave = openFunded("dave", 50, bank);
        batch(BatchMode.LINKED, req(dave, bob, 25), req(dave, carol, 25));
        assertBalance(dave, 0);
    }

    @Test
    default void transferBatch_itemSpendsWhatAnEarlierItemCredited() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 10, bank);
        AccountId bob = openAccount("bob");
        AccountId carol = openAccount("carol");
        for (BatchMode mode : BatchMode.values()) {
            List<TransferResult> results = batch(mode, req(alice, bob, 10), req(bob, carol, 10), req(carol, alice, 10));
            Transfer credit = recorded(results.get(0));
            Transfer spend = recorded(results.get(1));
            assertTrue(
                    spend.recordedAt().isAfter(credit.recordedAt()),
                    "a debit is dated after the credit it spends: " + credit + " then " + spend);
        }
        assertBalance(alice, 10);
        assertBalance(bob, 0);
        assertBalance(carol, 0);
    }

    @Test
    default void transferBatch_wholeBatchReplayed_returnsOriginalsAndRecordsNothing() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        for (BatchMode mode : BatchMode.values()) {
            TransferRequest[] requests = {req(alice, bob, 1), req(bob, alice, 1), req(alice, bob, 2)};
            List<TransferResult> first = batch(mode, requests);
            clock().advanceMicros(50);
            Snapshot before = snapshot();
            List<TransferResult> again = batch(mode, requests);
            assertEquals(before, snapshot(), "a replayed batch records nothing");
            for (int i = 0; i < requests.length; i++) {
                assertFalse(((TransferResult.Recorded) first.get(i)).replayed());
                TransferResult.Recorded r = assertInstanceOf(TransferResult.Recorded.class, again.get(i));
                assertTrue(r.replayed(), "item " + i + " is a replay");
                assertEquals(recorded(first.get(i)), r.transfer(), "the original is returned");
            }
        }
    }

    @Test
    default void transferBatch_replayedItemsInsideNewBatch_mixedResults() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        TransferRequest single = req(alice, bob, 5);
        Transfer original = transfer(single);
        for (BatchMode mode : BatchMode.values()) {
            TransferRequest fresh = req(alice, bob, 7);
            List<TransferResult> results = batch(mode, fresh, single);
            assertFalse(((TransferResult.Recorded) results.get(0)).replayed());
            TransferResult.Recorded replay = assertInstanceOf(TransferResult.Recorded.class, results.get(1));
            assertTrue(replay.replayed());
            assertEquals(original, replay.transfer());
        }
        // The same id with other content inside a batch: rejected alone (independent), the whole batch (linked).
        TransferRequest changed = TransferRequest.of(alice, bob, 6, USD).withId(Objects.requireNonNull(single.id()));
        List<TransferResult> results = batch(BatchMode.INDEPENDENT, req(alice, bob, 1), changed);
        recorded(results.get(0));
        assertEquals(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                assertInstanceOf(TransferResult.Rejected.class, results.get(1)).reason());
        Snapshot before = snapshot();
        LedgerRejectedException e = assertThrows(LedgerRejectedException.class, () -> ledger().transferBatch(
                        List.of(req(alice, bob, 1), changed), BatchMode.LINKED));
        assertEquals(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT, e.reason());
        assertEquals(1, e.position().orElseThrow());
        assertEquals(before, snapshot());
        assertBalance(alice, 100 - 5 - 7 - 7 - 1);
    }

    @Test
    default void transferBatch_duplicateIdWithinBatch_secondReplaysFirst() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        for (BatchMode mode : BatchMode.values()) {
            TransferRequest twice = req(alice, bob, 3);
            List<TransferResult> results = batch(mode, twice, twice);
            TransferResult.Recorded second = assertInstanceOf(TransferResult.Recorded.class, results.get(1));
            assertTrue(second.replayed());
            assertEquals(recorded(results.get(0)), second.transfer());
        }
        assertBalance(alice, 94);
    }

    @SuppressWarnings("NullAway") // passes null on purpose: the rejection is what it checks
    @Test
    default void transferBatch_emptyOversizedOrNullItem_invalidBatchAndNothingRecorded() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        TransferRequest one = req(bank, alice, 1);
        assertRejected(
                RejectionReason.INVALID_BATCH,
                () -> ledger().transferBatch(List.of(), BatchMode.INDEPENDENT),
                0,
                Ledger.MAX_BATCH_SIZE);
        List<TransferRequest> oversized = Collections.nCopies(Ledger.MAX_BATCH_SIZE + 1, one);
        assertRejected(
                RejectionReason.INVALID_BATCH,
                () -> ledger().transferBatch(oversized, BatchMode.LINKED),
                Ledger.MAX_BATCH_SIZE + 1);
        List<TransferRequest> withNull = new ArrayList<>(List.of(one, one));
        withNull.set(1, null);
        assertRejected(
                RejectionReason.INVALID_BATCH, () -> ledger().transferBatch(withNull, BatchMode.INDEPENDENT), "item 1");
        assertEquals(Optional.empty(), ledger().findTransfer(Objects.requireNonNull(one.id())));
        assertRejected(RejectionReason.MISSING_VALUE, () -> ledger().transferBatch(List.of(one), null));
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    default void transferBatch_randomBatchesOnSixteenThreads_conservedNothingOverdrawnIndicesContiguous() {
        long seed = Long.getLong("ledger.test.seed", new SplittableRandom().nextLong());
        System.out.println(
                "BatchContract random batches seed=" + seed + " (replay with -Dledger.test.seed=" + seed + ")");
        books().context("BatchContract random batches seed=" + seed);
        int accountCount = 10;
        long initial = 1_000;
        AccountId bank = openIssuer("bank");
        List<AccountId> accounts = new ArrayList<>();
        for (int i = 0; i < accountCount; i++) {
            accounts.add(openFunded("acct-" + i, initial, bank));
        }
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        // 128 batches over 10 accounts, most of them waiting for one another's source locks: on a 3-node Citus
        // cluster on 2 cores this once outran ConcurrentRun's default 30 s. A hang still fails, after 90 s.
        long started = System.nanoTime();
        List<Outcome<List<Transfer>>> outcomes = ConcurrentRun.run(16, Duration.ofSeconds(90), worker -> {
            SplittableRandom random = new SplittableRandom(seed + worker);
            List<Transfer> mine = new ArrayList<>();
            for (int op = 0; op < 8; op++) {
                List<TransferRequest> requests = new ArrayList<>();
                int size = 1 + random.nextInt(20);
                while (requests.size() < size) {
                    AccountId s = accounts.get(random.nextInt(accountCount));
                    AccountId d = accounts.get(random.nextInt(accountCount));
                    if (!s.equals(d)) {
                        requests.add(req(s, d, 1 + random.nextLong(300)));
                    }
                }
                BatchMode mode = random.nextBoolean() ? BatchMode.LINKED : BatchMode.INDEPENDENT;
                try {
                    List<TransferResult> results = ledger().transferBatch(requests, mode);
                    for (TransferResult r : results) {
                        if (r instanceof TransferResult.Recorded rec) {
                            mine.add(rec.transfer());
                        } else if (((TransferResult.Rejected) r).reason() != RejectionReason.INSUFFICIENT_FUNDS) {
                            violations.add("seed=" + seed + " unexpected rejection: " + r);
                        }
                    }
                } catch (LedgerRejectedException e) {
                    if (mode != BatchMode.LINKED || e.reason() != RejectionReason.INSUFFICIENT_FUNDS) {
                        violations.add("seed=" + seed + " unexpected " + mode + " rejection: " + e.getMessage());
                    }
                }
            }
            return mine;
        });
        System.out.printf(
                "BatchContract random batches seed=%d: 16 workers done in %.1f s%n",
                seed, (System.nanoTime() - started) / 1e9);
        for (Outcome<List<Transfer>> outcome : outcomes) {
            assertTrue(outcome.error() == null, () -> "seed=" + seed + ": " + outcome.error());
        }
        assertEquals(List.of(), new ArrayList<>(violations), "seed=" + seed);
        List<Transfer> recorded = new ArrayList<>();
        outcomes.forEach(outcome -> recorded.addAll(outcome.value()));
        Map<AccountId, Long> recomputed = new HashMap<>();
        accounts.forEach(id -> recomputed.put(id, initial));
        for (Transfer t : recorded) {
            recomputed.merge(t.source(), -t.amount(), Long::sum);
            recomputed.merge(t.destination(), t.amount(), Long::sum);
        }
        long sum = 0;
        for (AccountId id : accounts) {
            long balance = ledger().balance(id);
            assertEquals(recomputed.get(id), balance, "seed=" + seed + ": balance of " + id);
            assertTrue(balance >= 0, "seed=" + seed + ": balance of " + id);
            List<Long> indices = recorded.stream()
                    .filter(t -> t.source().equals(id))
                    .map(Transfer::sourceIndex)
                    .sorted()
                    .toList();
            for (int i = 0; i < indices.size(); i++) {
                assertEquals(i, indices.get(i).longValue(), "seed=" + seed + ": indices of " + id);
            }
            books().expectBalance(id, balance);
            sum += balance;
        }
        assertEquals(accountCount * initial, sum, "seed=" + seed + ": money is conserved");
    }
}

package dev.ledger.tck.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.Coalescing;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.TransferDraft;
import dev.ledger.tck.ForwardingLedgerStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Coalescing: concurrent calls share batches, and each caller gets exactly its own outcome. */
class LedgerCoalescingTest {
    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** The in-memory store, with the batches it receives recorded and a hook before each batch. */
    static final class WatchedStore extends ForwardingLedgerStore {
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        volatile Function<List<TransferDraft>, @Nullable List<AppendResult>> beforeBatch = drafts -> null;

        WatchedStore() {
            super(new InMemoryLedgerStore());
        }

        @Override
        public List<AppendResult> appendBatch(List<TransferDraft> drafts, BatchMode mode) {
            batchSizes.add(drafts.size());
            List<AppendResult> scripted = beforeBatch.apply(drafts);
            return scripted != null ? scripted : delegate.appendBatch(drafts, mode);
        }

        @Override
        public void close() {}
    }

    private static Ledger ledger(WatchedStore store, int maxWriters) {
        Ledger ledger = Ledger.builder(store)
                .coalescing(Coalescing.natural(512, maxWriters))
                .build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(1_000, BANK));
        ledger.open(NewAccount.of(BOB, "USD"));
        return ledger;
    }

    /** Blocks the first batch until released, so that the other callers queue behind it. */
    private static CountDownLatch blockFirstBatch(WatchedStore store, CountDownLatch entered) {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        store.beforeBatch = drafts -> {
            if (calls.getAndIncrement() == 0) {
                entered.countDown();
                await(release);
            }
            return null;
        };
        return release;
    }

    /** Waits for the latch, as a blocked database call would: an interrupt does not end the wait (it is kept). */
    private static void await(CountDownLatch latch) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (true) {
                try {
                    assertTrue(
                            latch.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS),
                            "latch timed out");
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void transfer_sixteenCallersWhileABatchIsWritten_coalescedAndEachGetsItsOwn() throws Exception {
        WatchedStore store = new WatchedStore();
        Ledger ledger = ledger(store, 1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = blockFirstBatch(store, entered);
        Future<Transfer> first = threads.submit(() -> ledger.transfer(TransferRequest.of(ALICE, BOB, 1, "USD")));
        entered.countDown();
        await(entered);
        List<UUID> ids = new ArrayList<>();
        List<Future<Transfer>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            long amount = 2 + i;
            calls.add(threads.submit(() -> ledger.transfer(
                    TransferRequest.of(ALICE, BOB, amount, "USD").withId(id))));
        }
        Thread.sleep(200); // all sixteen queue behind the blocked batch
        release.countDown();
        assertEquals(1, first.get(10, TimeUnit.SECONDS).amount());
        for (int i = 0; i < 16; i++) {
            Transfer t = calls.get(i).get(10, TimeUnit.SECONDS);
            assertEquals(ids.get(i), t.id(), "each caller gets its own transfer");
            assertEquals(2 + i, t.amount());
        }
        assertTrue(store.batchSizes.stream().anyMatch(size -> size > 1), "batches: " + store.batchSizes);
        assertTrue(store.batchSizes.size() <= 3, "batches: " + store.batchSizes);
        assertEquals(1_000 - 1 - (2 + 17) * 16 / 2, ledger.balance(ALICE));
        assertTrue(ledger.verify().ok());
    }

    /**
     * Two writers, one hot source: a batch in flight never shares a source with another (they would wait on each
     * other's lock on the source row in PostgreSQL), and the hot source's queued debits go into one batch together.
     */
    @Test
    void transfer_twoWritersAndAHotSource_batchesInFlightNeverShareASource() throws Exception {
        WatchedStore store = new WatchedStore();
        Ledger ledger = ledger(store, 2);
        List<AccountId> sources = new ArrayList<>(List.of(BANK));
        for (int i = 0; i < 6; i++) {
            AccountId issuer = AccountId.of("issuer-" + i);
            ledger.open(NewAccount.issuer(issuer, "USD"));
            sources.add(issuer);
        }
        java.util.Map<AccountId, Integer> inFlight = new java.util.HashMap<>();
        List<String> overlaps = new CopyOnWriteArrayList<>();
        AtomicInteger writing = new AtomicInteger();
        AtomicInteger mostWriting = new AtomicInteger();
        AtomicInteger hotBatched = new AtomicInteger();
        store.beforeBatch = drafts -> {
            java.util.Set<AccountId> mine = new java.util.HashSet<>();
            drafts.forEach(d -> mine.add(d.source()));
            synchronized (inFlight) {
                for (AccountId source : mine) {
                    if (inFlight.merge(source, 1, Integer::sum) > 1) {
                        overlaps.add(source + " in two batches at once");
                    }
                }
            }
            if (drafts.stream().filter(d -> d.source().equals(BANK)).count() > 1) {
                hotBatched.incrementAndGet();
            }
            mostWriting.accumulateAndGet(writing.incrementAndGet(), Math::max);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writing.decrementAndGet();
            synchronized (inFlight) {
                mine.forEach(source -> inFlight.merge(source, -1, (a, b) -> a + b == 0 ? null : a + b));
            }
            return null;
        };
        List<Future<?>> callers = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int thread = t;
            callers.add(threads.submit(() -> {
                for (int i = 0; i < 40; i++) {
                    // half of the debits from the hot source, the rest spread over the others
                    AccountId source = (i + thread) % 2 == 0 ? BANK : sources.get(1 + (i * 7 + thread) % 6);
                    ledger.transfer(TransferRequest.of(source, BOB, 1, "USD"));
                }
                return null;
            }));
        }
        for (Future<?> caller : callers) {
            caller.get(30, TimeUnit.SECONDS);
        }
        assertEquals(0, overlaps.size(), () -> overlaps.size() + " overlaps, first " + overlaps.get(0));
        assertEquals(2, mostWriting.get(), "two batches were written at once");
        assertTrue(hotBatched.get() > 0, "the hot source's debits were batched together");
        assertEquals(16 * 40, ledger.balance(BOB));
        assertTrue(ledger.verify().ok());
    }

    @Test
    void transfer_rejectedAndReplayedItemsInOneBatch_eachCallerItsOwnOutcome() throws Exception {
        WatchedStore store = new WatchedStore();
        Ledger ledger = ledger(store, 1);
        Transfer original =
                ledger.transfer(TransferRequest.of(ALICE, BOB, 5, "USD").withId(new UUID(1, 1)));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = blockFirstBatch(store, entered);
        Future<Transfer> blocker = threads.submit(() -> ledger.transfer(TransferRequest.of(ALICE, BOB, 1, "USD")));
        await(entered);
        Future<Transfer> tooMuch = threads.submit(() -> ledger.transfer(TransferRequest.of(ALICE, BOB, 5_000, "USD")));
        Future<Transfer> replay = threads.submit(
                () -> ledger.transfer(TransferRequest.of(ALICE, BOB, 5, "USD").withId(new UUID(1, 1))));
        Future<Transfer> reused = threads.submit(
                () -> ledger.transfer(TransferRequest.of(ALICE, BOB, 6, "USD").withId(new UUID(1, 1))));
        Future<Transfer> fine = threads.submit(() -> ledger.transfer(TransferRequest.of(ALICE, BOB, 7, "USD")));
        Thread.sleep(200);
        release.countDown();
        blocker.get(10, TimeUnit.SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> tooMuch.get(10, TimeUnit.SECONDS));
        assertEquals(RejectionReason.INSUFFICIENT_FUNDS, ((LedgerRejectedException) e.getCause()).reason());
        assertEquals(original, replay.get(10, TimeUnit.SECONDS));
        e = assertThrows(ExecutionException.class, () -> reused.get(10, TimeUnit.SECONDS));
        assertEquals(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT, ((LedgerRejectedException) e.getCause()).reason());
        assertEquals(7, fine.get(10, TimeUnit.SECONDS).amount());
        assertEquals(1_000 - 5 - 1 - 7, ledger.balance(ALICE));
    }

    @Test
    void transfer_conflictOnOneItem_onlyThatItemRetried() {
        WatchedStore store = new WatchedStore();
        Ledger ledger = ledger(store, 1);
        AtomicInteger conflicts = new AtomicInteger();
        store.beforeBatch = drafts -> {
            if (conflicts.getAndIncrement() == 0) {
                List<AppendResult> results = new ArrayList<>();
                for (TransferDraft d : drafts) {
                    results.add(new AppendResult.Conflict("scripted: index taken"));
                }
                return results;
            }
            return null;
        };
        Transfer t = ledger.transfer(TransferRequest.of(ALICE, BOB, 3, "USD"));
        assertEquals(3, t.amount());
        assertEquals(List.of(1, 1), store.batchSizes, "one conflict, one immediate retry");
    }

    @Test
    void transfer_storeFailsForTheBatch_eachCallerGetsItsOwnId() throws Exception {
        WatchedStore store = new WatchedStore();
        Ledger ledger = ledger(store, 1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        store.beforeBatch = drafts -> {
            int call = calls.getAndIncrement();
            if (call == 0) {
                entered.countDown();
                await(release);
                return null;
            }
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.OUTCOME_UNKNOWN, "connection lost", null);
        };
        Future<Transfer> blocker = threads.submit(() -> ledger.transfer(TransferRequest.of(ALICE, BOB, 1, "USD")));
        await(entered);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        Future<Transfer> fa = threads.submit(
                () -> ledger.transfer(TransferRequest.of(ALICE, BOB, 2, "USD").withId(a)));
        Future<Transfer> fb = threads.submit(
                () -> ledger.transfer(TransferRequest.of(ALICE, BOB, 3, "USD").withId(b)));
        Thread.sleep(200);
        release.countDown();
        blocker.get(10, TimeUnit.SECONDS);
        for (var pair : List.of(List.of(fa, a), List.of(fb, b))) {
            @SuppressWarnings("unchecked")
            Future<Transfer> f = (Future<Transfer>) pair.get(0);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            LedgerUnavailableException u = assertInstanceOf(LedgerUnavailableException.class, e.getCause());
            assertEquals(LedgerUnavailableException.Kind.OUTCOME_UNKNOWN, u.kind());
            assertEquals(pair.get(1), u.transferId());
        }
    }

    @Test
    void transfer_interruptedWhileQueued_interruptedAndNothingRecorded() throws Exception {
        WatchedStore store = new WatchedStore();
        Ledger ledger = ledger(store, 1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = blockFirstBatch(store, entered);
        Future<Transfer> blocker = threads.submit(() -> ledger.transfer(TransferRequest.of(ALICE, BOB, 1, "USD")));
        await(entered);
        UUID id = UUID.randomUUID();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                ledger.transfer(TransferRequest.of(ALICE, BOB, 2, "USD").withId(id));
                outcome.complete(null);
            } catch (RuntimeException e) {
                outcome.complete(e);
            }
        });
        caller.start();
        Thread.sleep(200);
        caller.interrupt();
        LedgerUnavailableException e =
                assertInstanceOf(LedgerUnavailableException.class, outcome.get(10, TimeUnit.SECONDS));
        assertEquals(LedgerUnavailableException.Kind.INTERRUPTED, e.kind(), e.getMessage());
        assertEquals(id, e.transferId());
        release.countDown();
        blocker.get(10, TimeUnit.SECONDS);
        assertEquals(Optional.empty(), ledger.findTransfer(id));
        assertEquals(999, ledger.balance(ALICE));
    }

    @Test
    void transfer_writerInterrupted_finishesItsBatchAndKeepsTheInterrupt() throws Exception {
        WatchedStore store = new WatchedStore();
        Ledger ledger = ledger(store, 1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = blockFirstBatch(store, entered);
        UUID id = UUID.randomUUID();
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                ledger.transfer(TransferRequest.of(ALICE, BOB, 2, "USD").withId(id));
                outcome.complete(
                        "recorded, interrupted=" + Thread.currentThread().isInterrupted());
            } catch (RuntimeException e) {
                outcome.complete(e.toString());
            }
        });
        caller.start();
        await(entered); // the caller writes its own batch
        caller.interrupt();
        Thread.sleep(100);
        assertFalse(outcome.isDone(), "a writer finishes the batch it took");
        release.countDown();
        assertEquals("recorded, interrupted=true", outcome.get(10, TimeUnit.SECONDS));
        assertEquals(2, ledger.findTransfer(id).orElseThrow().amount());
    }

    @Test
    void transfer_interruptedWhileInAnotherWritersBatch_outcomeUnknownThenFindTransferHasIt() throws Exception {
        WatchedStore store = new WatchedStore();
        Ledger ledger = ledger(store, 1);
        CountDownLatch firstEntered = new CountDownLatch(1);
        CountDownLatch firstRelease = new CountDownLatch(1);
        CountDownLatch secondEntered = new CountDownLatch(1);
        CountDownLatch secondRelease = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Thread> secondWriter = new CompletableFuture<>();
        store.beforeBatch = drafts -> {
            int call = calls.getAndIncrement();
            if (call == 0) {
                firstEntered.countDown();
                await(firstRelease);
            } else if (call == 1) {
                secondWriter.complete(Thread.currentThread());
                secondEntered.countDown();
                await(secondRelease);
            }
            return null;
        };
        Future<Transfer> x = threads.submit(() -> ledger.transfer(TransferRequest.of(ALICE, BOB, 1, "USD")));
        await(firstEntered);
        UUID[] ids = {UUID.randomUUID(), UUID.randomUUID()};
        List<Future<Optional<Transfer>>> lookups = new ArrayList<>();
        List<CompletableFuture<Throwable>> outcomes = List.of(new CompletableFuture<>(), new CompletableFuture<>());
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int k = i;
            Thread t = new Thread(() -> {
                try {
                    ledger.transfer(
                            TransferRequest.of(ALICE, BOB, 10 + k, "USD").withId(ids[k]));
                    outcomes.get(k).complete(null);
                } catch (RuntimeException e) {
                    outcomes.get(k).complete(e);
                }
            });
            callers.add(t);
            t.start();
        }
        Thread.sleep(200); // both queued behind the first batch
        firstRelease.countDown();
        x.get(10, TimeUnit.SECONDS);
        await(secondEntered); // one of the two writes a batch holding both requests
        int waiter = callers.get(0) == secondWriter.get() ? 1 : 0;
        callers.get(waiter).interrupt();
        LedgerUnavailableException e = assertInstanceOf(
                LedgerUnavailableException.class, outcomes.get(waiter).get(10, TimeUnit.SECONDS));
        assertEquals(LedgerUnavailableException.Kind.OUTCOME_UNKNOWN, e.kind(), e.getMessage());
        assertEquals(ids[waiter], e.transferId());
        // findTransfer waits for the batch in flight (the store has not reached the item yet, or has: either way).
        for (UUID id : ids) {
            Future<Optional<Transfer>> lookup = threads.submit(() -> ledger.findTransfer(id));
            Thread.sleep(100);
            assertFalse(lookup.isDone(), "findTransfer answered while the batch holding " + id + " was in flight");
            lookups.add(lookup);
        }
        secondRelease.countDown();
        for (Future<Optional<Transfer>> lookup : lookups) {
            assertTrue(lookup.get(10, TimeUnit.SECONDS).isPresent());
        }
        assertEquals(null, outcomes.get(1 - waiter).get(10, TimeUnit.SECONDS));
        assertEquals(
                10 + waiter,
                ledger.findTransfer(ids[waiter]).orElseThrow().amount(),
                "the interrupted caller's transfer was recorded by the batch it was in");
    }

    @Test
    void transferAsync_manyRequests_allCompleteOnTheExecutor() throws Exception {
        WatchedStore store = new WatchedStore();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            Ledger ledger = Ledger.builder(store)
                    .coalescing(Coalescing.natural())
                    .executor(executor)
                    .build();
            ledger.open(NewAccount.issuer(BANK, "USD"));
            ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(1_000, BANK));
            ledger.open(NewAccount.of(BOB, "USD"));
            List<CompletableFuture<Transfer>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(ledger.transferAsync(TransferRequest.of(ALICE, BOB, 1, "USD")));
            }
            futures.add(ledger.transferAsync(TransferRequest.of(ALICE, BOB, 5_000, "USD")));
            for (int i = 0; i < 200; i++) {
                assertEquals(1, futures.get(i).get(10, TimeUnit.SECONDS).amount());
            }
            ExecutionException e = assertThrows(
                    ExecutionException.class, () -> futures.get(200).get(10, TimeUnit.SECONDS));
            assertEquals(RejectionReason.INSUFFICIENT_FUNDS, ((LedgerRejectedException) e.getCause()).reason());
            assertEquals(800, ledger.balance(ALICE));
            assertTrue(ledger.verify().ok());
        } finally {
            executor.shutdownNow();
        }
    }

    /** Async requests that lose twice back off with no caller waiting: they are still written when due. */
    @Test
    void transferAsync_retriesBackingOff_writtenWhenDue() throws Exception {
        WatchedStore store = new WatchedStore();
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            Ledger ledger = Ledger.builder(store)
                    .coalescing(Coalescing.natural(512, 2))
                    .executor(executor)
                    .build();
            ledger.open(NewAccount.issuer(BANK, "USD"));
            ledger.open(NewAccount.of(BOB, "USD"));
            store.beforeBatch = drafts -> {
                if (conflicts.getAndIncrement() < 2) {
                    List<AppendResult> lost = new ArrayList<>();
                    for (TransferDraft d : drafts) {
                        lost.add(new AppendResult.Conflict("scripted: index taken"));
                    }
                    return lost;
                }
                return null;
            };
            List<CompletableFuture<Transfer>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(ledger.transferAsync(TransferRequest.of(BANK, BOB, 1, "USD")));
            }
            for (CompletableFuture<Transfer> f : futures) {
                assertEquals(1, f.get(10, TimeUnit.SECONDS).amount());
            }
            assertEquals(50, ledger.balance(BOB));
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void transferAsync_coalescingOff_runsTheSinglePathOnTheExecutor() throws Exception {
        Ledger ledger = Ledger.builder(new InMemoryLedgerStore())
                .executor(Runnable::run)
                .build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(BOB, "USD"));
        assertEquals(
                9,
                ledger.transferAsync(TransferRequest.of(BANK, BOB, 9, "USD"))
                        .get(1, TimeUnit.SECONDS)
                        .amount());
    }

    @Test
    void coalescing_badValues_refusedNamingValueAndRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Coalescing.natural(0, 1));
        assertTrue(e.getMessage().contains("maxBatchSize 0") && e.getMessage().contains("8192"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Coalescing.natural(10, 0));
        assertTrue(e.getMessage().contains("maxConcurrentBatches 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Coalescing.natural(Ledger.MAX_BATCH_SIZE + 1, 1));
        assertFalse(Coalescing.off().enabled());
    }
}

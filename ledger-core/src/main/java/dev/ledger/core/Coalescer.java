package dev.ledger.core;

import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.core.spi.TransferDraft;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Natural batching of {@link Ledger#transfer(TransferRequest)} calls (see {@link Coalescing}): a queue of requests,
 * written as {@link BatchMode#INDEPENDENT} batches by whichever callers find fewer than {@code maxConcurrentBatches}
 * batches in flight (flat combining: no thread of its own; an asynchronous request with no caller waiting is written on
 * the ledger's executor). Thread-safe.
 */
final class Coalescer {
    /** One queued request and its outcome. */
    static final class Item {
        final TransferRequest request;
        final UUID id;
        final CompletableFuture<Transfer> result = new CompletableFuture<>();
        int attempt;
        /** {@link System#nanoTime()} before which the item may not be written again (its retry backoff). */
        long eligibleAt;
        /** Set when the id was already recorded with the same content. */
        volatile boolean replayed;
        /** The caller waiting for this item, unparked when it completes or may write; null for an async item. */
        volatile @Nullable Thread waiter;

        @Nullable
        String lastConflict;

        Item(TransferRequest request, UUID id) {
            this.request = request;
            this.id = id;
        }
    }

    private final Ledger ledger;
    private final LedgerStore store;
    private final RetryPolicy retryPolicy;
    private final Executor executor;
    private final int maxBatchSize;
    private final int maxWriters;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    /** The items of the batches being written, by id: findTransfer waits for them (a store may not know yet). */
    private final java.util.concurrent.ConcurrentHashMap<UUID, Item> writing =
            new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The sources debited by the batches being written, with how many items of each: a batch never takes an item whose
     * source is in another batch in flight. Two batches of this ledger then never wait on each other's lock on a source
     * row (held until commit): each source's debits queue here and go into the next batch together, where they apply in
     * order in one call (hot accounts). Under the lock.
     */
    private final java.util.HashMap<AccountId, Integer> busySources = new java.util.HashMap<>();

    private int writers;
    private boolean closed;

    Coalescer(Ledger ledger, LedgerStore store, RetryPolicy retryPolicy, Executor executor, Coalescing coalescing) {
        this.ledger = ledger;
        this.store = store;
        this.retryPolicy = retryPolicy;
        this.executor = executor;
        this.maxBatchSize = coalescing.maxBatchSize();
        this.maxWriters = coalescing.maxConcurrentBatches();
    }

    /**
     * Queues the request and returns it once its transfer is written, writing batches itself while it can. A waiting
     * caller is parked; it is woken when its item completes, or when a writer slot frees while items are queued.
     */
    Item transfer(TransferRequest request, UUID id) {
        Item item = enqueue(request, id);
        item.waiter = Thread.currentThread();
        while (true) {
            List<Item> batch;
            long wait;
            lock.lock();
            try {
                if (item.result.isDone()) {
                    break;
                }
                batch = takeBatch();
                // With every writer slot taken, or every eligible item's source in a batch being written, wait to be
                // woken (a writer that frees its slot wakes a queued caller); with a slot free and nothing eligible,
                // until the first retry's backoff ends.
                wait = batch != null ? 0 : writers >= maxWriters ? Long.MAX_VALUE : nanosUntilEligible();
            } finally {
                lock.unlock();
            }
            if (batch != null) {
                write(batch);
                continue;
            }
            if (wait == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, Math.max(wait, 1_000));
            }
            if (Thread.interrupted()) {
                lock.lock();
                try {
                    if (!item.result.isDone()) {
                        Thread.currentThread().interrupt();
                        throw interrupted(item);
                    }
                } finally {
                    lock.unlock();
                }
                Thread.currentThread().interrupt(); // done meanwhile: return it, keeping the interrupt
            }
        }
        join(item);
        return item;
    }

    /** Queues the request; the returned future completes as {@link #transfer} would return or throw. */
    CompletableFuture<Transfer> transferAsync(TransferRequest request, UUID id) {
        Item item = enqueue(request, id);
        boolean start;
        lock.lock();
        try {
            start = writers < maxWriters && !queue.isEmpty();
            if (start) {
                writers++; // reserved for the task below
            }
        } finally {
            lock.unlock();
        }
        if (start) {
            try {
                executor.execute(this::drain);
            } catch (RuntimeException e) {
                lock.lock();
                try {
                    writers--;
                    wakeOneQueued();
                } finally {
                    lock.unlock();
                }
                fail(
                        List.of(item),
                        new LedgerUnavailableException(
                                LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                                "the ledger's executor refused the write: " + e + "; nothing was recorded",
                                id,
                                e));
            }
        }
        return item.result;
    }

    /**
     * Waits until no batch being written holds a request with this id: then the store answers for it. (A store records
     * a batch's items one after the other; a later item is not yet "in flight" in the store itself.)
     */
    void awaitWriting(UUID id) {
        Item item = writing.get(id);
        while (item != null) {
            try {
                item.result.handle((t, e) -> null).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LedgerUnavailableException(
                        LedgerUnavailableException.Kind.INTERRUPTED,
                        "interrupted while waiting for transfer " + id + ", being written",
                        id,
                        e);
            } catch (java.util.concurrent.ExecutionException e) {
                // handle() never completes exceptionally
            }
            Item next = writing.get(id);
            item = next == item ? null : next;
        }
    }

    /** Fails every queued request: the ledger is closing. */
    void close() {
        List<Item> left;
        lock.lock();
        try {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
        } finally {
            lock.unlock();
        }
        for (Item item : left) {
            item.result.completeExceptionally(new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "the ledger was closed before transfer " + item.id + " was written; nothing was recorded",
                    item.id,
                    null));
            wake(item);
        }
    }

    private Item enqueue(TransferRequest request, UUID id) {
        Item item = new Item(request, id);
        lock.lock();
        try {
            if (closed) {
                throw new LedgerUnavailableException(
                        LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                        "the ledger is closed; nothing was recorded",
                        id,
                        null);
            }
            queue.addLast(item);
        } finally {
            lock.unlock();
        }
        return item;
    }

    /**
     * A writer task for asynchronous requests: writes batches until the queue is empty. Requests backing off after a
     * lost race (no caller waits for them) are written when due: the task waits for the first of them rather than
     * leaving them queued with no writer.
     */
    private void drain() {
        lock.lock();
        try {
            writers--; // the reservation becomes an ordinary writer slot taken by takeBatch
        } finally {
            lock.unlock();
        }
        while (true) {
            List<Item> batch;
            long wait;
            lock.lock();
            try {
                batch = takeBatch();
                if (batch == null && (queue.isEmpty() || closed)) {
                    return;
                }
                wait = batch != null ? 0 : writers >= maxWriters ? -1 : nanosUntilEligible();
            } finally {
                lock.unlock();
            }
            if (batch != null) {
                write(batch);
            } else if (wait < 0 || wait == Long.MAX_VALUE) {
                // Every slot is taken, or every queued source is in a batch being written: those writers drain the
                // queue, and wake a successor when they stop.
                return;
            } else {
                LockSupport.parkNanos(this, Math.max(wait, 1_000));
            }
        }
    }

    /**
     * Under the lock: when a writer slot is free, takes up to maxBatchSize eligible items (in queue order) whose
     * sources no batch in flight debits, and the slot; null otherwise.
     */
    private @Nullable List<Item> takeBatch() {
        if (writers >= maxWriters || queue.isEmpty()) {
            return null;
        }
        long now = System.nanoTime();
        List<Item> batch = null;
        for (Iterator<Item> it = queue.iterator(); it.hasNext() && (batch == null || batch.size() < maxBatchSize); ) {
            Item item = it.next();
            if (item.eligibleAt - now <= 0 && !busySources.containsKey(item.request.source())) {
                if (batch == null) {
                    batch = new ArrayList<>(Math.min(queue.size(), maxBatchSize));
                }
                it.remove();
                writing.put(item.id, item);
                batch.add(item);
            }
        }
        if (batch != null) {
            writers++;
            for (Item item : batch) {
                busySources.merge(item.request.source(), 1, Integer::sum);
            }
        }
        return batch;
    }

    /**
     * Under the lock: nanoseconds until the first queued item whose source is not being written becomes eligible;
     * MAX_VALUE when there is none (the writers in flight wake a queued caller when they finish).
     */
    private long nanosUntilEligible() {
        long now = System.nanoTime();
        long wait = Long.MAX_VALUE;
        for (Item item : queue) {
            if (!busySources.containsKey(item.request.source())) {
                wait = Math.min(wait, Math.max(0, item.eligibleAt - now));
            }
        }
        return wait;
    }

    /** Writes one batch (the writer slot was taken by takeBatch) and settles or re-queues each item. */
    private void write(List<Item> batch) {
        boolean wasInterrupted = Thread.interrupted(); // a writer finishes the batch it took, then re-asserts it
        List<Item> retry = new ArrayList<>();
        try {
            Instant now = ledger.clockReading();
            List<TransferDraft> drafts = new ArrayList<>(batch.size());
            for (Item item : batch) {
                TransferRequest r = item.request;
                drafts.add(TransferDraft.of(item.id, r, now));
                item.attempt++;
            }
            List<AppendResult> results;
            try {
                results = store.appendBatch(drafts, BatchMode.INDEPENDENT);
                if (results.size() != drafts.size()) {
                    throw new IllegalStateException(
                            "the store answered " + results.size() + " results for a batch of " + drafts.size());
                }
            } catch (LedgerRejectedException e) {
                fail(batch, e); // not the port's contract (rejections are data), but passed on as the single path does
                return;
            } catch (LedgerUnavailableException e) {
                for (Item item : batch) {
                    item.result.completeExceptionally(
                            e.transferId() == null || !e.transferId().equals(item.id) ? e.withTransferId(item.id) : e);
                }
                return;
            } catch (RuntimeException e) {
                for (Item item : batch) {
                    item.result.completeExceptionally(new LedgerUnavailableException(
                            LedgerUnavailableException.Kind.OUTCOME_UNKNOWN,
                            "store failed unexpectedly: " + e,
                            item.id,
                            e));
                }
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                Item item = batch.get(i);
                AppendResult result = results.get(i);
                if (result instanceof AppendResult.Recorded recorded) {
                    item.result.complete(recorded.transfer());
                } else if (result instanceof AppendResult.AlreadyRecorded already) {
                    settleReplay(item, already.existing());
                } else if (result instanceof AppendResult.Rejected rejected) {
                    item.result.completeExceptionally(
                            new LedgerRejectedException(rejected.reason(), rejected.detail()));
                } else {
                    item.lastConflict =
                            result instanceof AppendResult.Conflict c ? c.detail() : "the batch was aborted";
                    retry.add(item);
                }
            }
        } finally {
            for (Item item : batch) {
                writing.remove(item.id, item);
            }
            requeue(batch, retry);
            for (Item item : batch) {
                if (item.result.isDone()) {
                    wake(item);
                }
            }
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void settleReplay(Item item, Transfer existing) {
        TransferRequest r = item.request;
        if (existing.sameContentAs(r)) {
            item.replayed = true;
            item.result.complete(existing);
        } else {
            item.result.completeExceptionally(new LedgerRejectedException(
                    RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                    "transfer id " + item.id + " was recorded as " + Ledger.describe(existing) + ", not as "
                            + Ledger.describe(r)));
        }
    }

    /**
     * Releases the writer slot and the batch's sources, and queues the items that lost a race again (or fails those out
     * of attempts).
     */
    private void requeue(List<Item> batch, List<Item> retry) {
        List<Item> exhausted = new ArrayList<>();
        lock.lock();
        try {
            writers--;
            for (Item item : batch) {
                busySources.computeIfPresent(item.request.source(), (source, count) -> count == 1 ? null : count - 1);
            }
            long now = System.nanoTime();
            for (Item item : retry) {
                ledger.coalescedConflict(item.attempt, String.valueOf(item.lastConflict));
                if (item.attempt >= retryPolicy.maxAttempts() || closed) {
                    exhausted.add(item);
                    continue;
                }
                // The first retry at once (the batch that won has committed); later ones after the policy's backoff.
                long backoff =
                        item.attempt == 1 ? 0 : retryPolicy.backoffNanos(item.attempt - 1, ThreadLocalRandom.current());
                item.eligibleAt = now + backoff;
                queue.addFirst(item);
                ledger.coalescedRetry(item.attempt, backoff);
            }
            wakeOneQueued();
        } finally {
            lock.unlock();
        }
        for (Item item : exhausted) {
            item.result.completeExceptionally(new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.RETRIES_EXHAUSTED,
                    "gave up after " + item.attempt + " attempts, each lost" + " to a concurrent debit; last: "
                            + item.lastConflict + "; nothing was recorded",
                    item.id,
                    null));
        }
    }

    private static void wake(Item item) {
        Thread waiter = item.waiter;
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Under the lock, with a writer slot free: wakes the caller of the first queued item, so that it writes; when only
     * asynchronous requests are queued, starts a writer on the executor.
     */
    private void wakeOneQueued() {
        if (writers >= maxWriters || queue.isEmpty()) {
            return;
        }
        for (Item queued : queue) {
            if (queued.waiter != null) {
                LockSupport.unpark(queued.waiter);
                return;
            }
        }
        writers++; // reserved for the task below
        try {
            executor.execute(this::drain);
        } catch (RuntimeException e) {
            writers--; // the asynchronous requests stay queued for the next writer
        }
    }

    private static void fail(List<Item> items, RuntimeException e) {
        for (Item item : items) {
            item.result.completeExceptionally(e);
        }
    }

    /** The caller was interrupted while waiting: withdraws a queued item; an item in flight stays in flight. */
    private LedgerUnavailableException interrupted(Item item) {
        if (queue.remove(item)) { // still queued: not in any batch
            return new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.INTERRUPTED,
                    "interrupted while transfer " + item.id + " was queued; nothing was recorded",
                    item.id,
                    null);
        }
        return new LedgerUnavailableException(
                LedgerUnavailableException.Kind.OUTCOME_UNKNOWN,
                "interrupted while"
                        + " transfer " + item.id
                        + " was being written; it may or may not be recorded: findTransfer(id) waits for"
                        + " the outcome, and a retry with the same id records it at most once",
                item.id,
                null);
    }

    /** The item's transfer, or the exception its outcome completed with. */
    private static Transfer join(Item item) {
        try {
            return item.result.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }
}

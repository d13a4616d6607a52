package dev.ledger.core;

import dev.ledger.core.LedgerListener.Operation;
import dev.ledger.core.internal.Checks;
import dev.ledger.core.internal.TransferIds;
import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.core.spi.OpenResult;
import dev.ledger.core.spi.TransferDraft;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The ledger: the one entry point applications call to open accounts, record transfers and read balances.
 *
 * <p>It validates requests, assigns transfer ids and times (from the injected clock, to the microsecond), and runs the
 * transfer protocol against its {@link LedgerStore}: each attempt appends at the source's next index in one atomic
 * step; when a concurrent debit of the same source took that index first, the attempt reports a conflict and the ledger
 * re-reads and retries under its {@link RetryPolicy}. No locks are held between attempts, so no two calls can wait for
 * each other in a cycle.
 *
 * <p>Errors: a request that breaks a rule throws {@link LedgerRejectedException} with its {@link RejectionReason} and
 * records nothing. A failure of the store, or conflicts through every allowed attempt, throw
 * {@link LedgerUnavailableException}.
 *
 * <p>Observability: a {@link LedgerListener} set with {@link Builder#listener(LedgerListener)} is told of every call,
 * its latency and outcome, and of each conflict and retry; none is set by default, and then the ledger does no
 * observation work at all.
 *
 * <p>Thread-safe: one instance is meant to be shared by all threads of an application.
 */
public final class Ledger implements AutoCloseable {
    /** The most transfer requests one batch may hold. */
    public static final int MAX_BATCH_SIZE = 8192;

    private static final String FUNDING_REFERENCE = "opening balance";

    private final LedgerStore store;
    private final InstantSource clock;
    private final RetryPolicy retryPolicy;
    private final Supplier<UUID> ids;
    private final LedgerListener listener;
    /** False for {@link LedgerListener#none()}: then no clock is read and nothing allocated for observation. */
    private final boolean observed;

    private final Executor executor;
    /** Null when coalescing is off. */
    private final @Nullable Coalescer coalescer;

    private Ledger(Builder builder) {
        this.store = builder.store;
        this.clock = builder.clock;
        this.retryPolicy = builder.retryPolicy;
        this.ids = builder.ids != null ? builder.ids : new TransferIds(builder.clock);
        this.listener = builder.listener;
        this.observed = builder.listener != LedgerListener.none();
        this.executor = builder.executor != null ? builder.executor : ForkJoinPool.commonPool();
        Coalescing coalescing = builder.coalescing != null ? builder.coalescing : store.defaultCoalescing();
        this.coalescer = coalescing.enabled() ? new Coalescer(this, store, retryPolicy, executor, coalescing) : null;
    }

    /** A ledger on the given store; see {@link Builder} for the defaults. */
    public static Builder builder(LedgerStore store) {
        return new Builder(store);
    }

    /** A ledger on a new in-memory store, with the system clock and the default retry policy. */
    public static Ledger inMemory() {
        return builder(new InMemoryLedgerStore()).build();
    }

    /**
     * Opens an account; with a positive opening balance, also records the funding transfer from the named issuer, in
     * one atomic step.
     *
     * @return the opened account
     * @throws LedgerRejectedException {@code ACCOUNT_EXISTS}, {@code SOURCE_NOT_FOUND} (the funding issuer),
     *     {@code FUNDING_ACCOUNT_NOT_ISSUER}, {@code CURRENCY_MISMATCH}, {@code BALANCE_OVERFLOW},
     *     {@code ID_REUSED_WITH_DIFFERENT_CONTENT}, or one of the request's own validations
     * @throws LedgerUnavailableException when the store fails or conflicts persist
     */
    public Account open(NewAccount request) {
        return observed ? observe(Operation.OPEN, () -> openAccount(request)) : openAccount(request);
    }

    private Account openAccount(NewAccount request) {
        Checks.present(request, "account request");
        UUID fundingId = null;
        if (request.openingBalance() > 0) {
            fundingId = request.fundingTransferId() != null ? request.fundingTransferId() : ids.get();
        }
        for (int attempt = 1; ; attempt++) {
            Instant now = now();
            Account account = new Account(
                    request.id(),
                    request.currency(),
                    request.issuer(),
                    now,
                    request.lowerLimit(),
                    request.upperLimit());
            TransferDraft funding = fundingId == null
                    ? null
                    : new TransferDraft(
                            fundingId,
                            Objects.requireNonNull(request.fundedBy()),
                            request.id(),
                            request.openingBalance(),
                            request.currency(),
                            FUNDING_REFERENCE,
                            now);
            OpenResult result = callStore(() -> store.open(account, funding), fundingId);
            if (result instanceof OpenResult.Opened opened) {
                return opened.account();
            } else if (result instanceof OpenResult.Rejected rejected) {
                throw new LedgerRejectedException(rejected.reason(), rejected.detail());
            } else {
                backOff(Operation.OPEN, attempt, ((OpenResult.Conflict) result).detail(), fundingId);
            }
        }
    }

    /**
     * Records a transfer, or returns the one already recorded under the request's id.
     *
     * @return the recorded transfer; for a replayed id, the transfer recorded the first time
     * @throws LedgerRejectedException when the transfer breaks a rule (nothing is recorded)
     * @throws LedgerUnavailableException when the store fails or conflicts persist; its
     *     {@link LedgerUnavailableException#transferId()} is the id to retry with
     */
    public Transfer transfer(TransferRequest request) {
        if (!observed) {
            return record(request, 0L);
        }
        @Nullable Object context = started(Operation.TRANSFER);
        long start = System.nanoTime();
        Transfer transfer;
        try {
            transfer = record(request, start);
        } catch (RuntimeException e) {
            failed(Operation.TRANSFER, context, start, e);
            throw e;
        }
        ended(Operation.TRANSFER, context, start, null);
        return transfer;
    }

    /**
     * Records a transfer without waiting: the future completes with what {@link #transfer(TransferRequest)} would
     * return, or exceptionally with what it would throw ({@link LedgerRejectedException},
     * {@link LedgerUnavailableException}). With coalescing the request joins the next batch, written by a caller
     * already writing or on the ledger's executor ({@link Builder#executor(Executor)}); without, the whole call runs on
     * the executor. Cancelling the future does not withdraw the request: a transfer may still be recorded, and
     * {@link #findTransfer(UUID)} tells.
     *
     * @throws LedgerRejectedException at once, when the request is null
     */
    public CompletableFuture<Transfer> transferAsync(TransferRequest request) {
        Checks.present(request, "transfer request");
        if (coalescer == null) {
            return CompletableFuture.supplyAsync(() -> transfer(request), executor);
        }
        UUID id = request.id() != null ? request.id() : ids.get();
        if (!observed) {
            return coalescer.transferAsync(request, id);
        }
        @Nullable Object context = started(Operation.TRANSFER);
        long start = System.nanoTime();
        return coalescer.transferAsync(request, id).whenComplete((transfer, failure) -> {
            if (failure == null) {
                notifyRecorded(1, System.nanoTime() - start);
                ended(Operation.TRANSFER, context, start, null);
            } else {
                Throwable cause =
                        failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
                failed(
                        Operation.TRANSFER,
                        context,
                        start,
                        cause instanceof RuntimeException r ? r : new IllegalStateException(cause));
            }
        });
    }

    /** The transfer protocol; {@code start} is the call's start when {@link #observed}. */
    private Transfer record(TransferRequest request, long start) {
        Checks.present(request, "transfer request");
        UUID id = request.id() != null ? request.id() : ids.get();
        if (coalescer != null) {
            Coalescer.Item item = coalescer.transfer(request, id);
            Transfer transfer = item.result.join();
            if (observed) {
                if (item.replayed) {
                    notifyReplayed(item.attempt, System.nanoTime() - start);
                } else {
                    notifyRecorded(item.attempt, System.nanoTime() - start);
                }
            }
            return transfer;
        }
        for (int attempt = 1; ; attempt++) {
            TransferDraft draft = TransferDraft.of(id, request, now());
            AppendResult result = callStore(() -> store.append(draft), id);
            if (result instanceof AppendResult.Recorded recorded) {
                if (observed) {
                    notifyRecorded(attempt, System.nanoTime() - start);
                }
                return recorded.transfer();
            } else if (result instanceof AppendResult.AlreadyRecorded already) {
                Transfer existing = already.existing();
                if (!existing.sameContentAs(request)) {
                    throw new LedgerRejectedException(
                            RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                            "transfer id " + id + " was recorded as " + describe(existing) + ", not as "
                                    + describe(request));
                }
                if (observed) {
                    notifyReplayed(attempt, System.nanoTime() - start);
                }
                return existing;
            } else if (result instanceof AppendResult.Rejected rejected) {
                throw new LedgerRejectedException(rejected.reason(), rejected.detail());
            } else {
                backOff(Operation.TRANSFER, attempt, ((AppendResult.Conflict) result).detail(), id);
            }
        }
    }

    /**
     * Records a batch of transfers in one atomic attempt of the store (in PostgreSQL: one round trip, one commit),
     * retrying the items that lost a race under the {@link RetryPolicy}.
     *
     * <ul>
     *   <li>{@link BatchMode#INDEPENDENT}: one result per request, in order; each item is recorded, replayed or
     *       rejected on its own, exactly as {@link #transfer(TransferRequest)} would record it, and items of one source
     *       apply in list order.
     *   <li>{@link BatchMode#LINKED}: every item is recorded (or replayed), and the results are all
     *       {@link TransferResult.Recorded}; or none is, and a {@link LedgerRejectedException} names the first item
     *       that broke a rule ({@link LedgerRejectedException#position()}).
     * </ul>
     *
     * Give every request an id: after {@link LedgerUnavailableException} with an unknown outcome, calling again with
     * the same requests then records each item at most once (a generated id cannot be replayed).
     *
     * @param requests 1 to {@link #MAX_BATCH_SIZE} requests, none null; the list is copied
     * @throws LedgerRejectedException {@code INVALID_BATCH} for an empty or oversized batch or a null item (nothing is
     *     recorded), or the linked batch's rejection
     * @throws LedgerUnavailableException when the store fails or conflicts persist
     */
    public List<TransferResult> transferBatch(List<TransferRequest> requests, BatchMode mode) {
        return observed
                ? observe(Operation.TRANSFER_BATCH, () -> recordBatch(requests, mode))
                : recordBatch(requests, mode);
    }

    private List<TransferResult> recordBatch(List<TransferRequest> requests, BatchMode mode) {
        Checks.present(requests, "batch");
        Checks.present(mode, "batch mode");
        int n = requests.size();
        if (n == 0 || n > MAX_BATCH_SIZE) {
            throw new LedgerRejectedException(
                    RejectionReason.INVALID_BATCH,
                    "the batch holds " + n + " requests; it must hold 1 to " + MAX_BATCH_SIZE);
        }
        TransferRequest[] items = new TransferRequest[n];
        UUID[] itemIds = new UUID[n];
        for (int i = 0; i < n; i++) {
            TransferRequest request = requests.get(i);
            if (request == null) {
                throw new LedgerRejectedException(RejectionReason.INVALID_BATCH, "item " + i + " of the batch is null");
            }
            items[i] = request;
            itemIds[i] = request.id() != null ? request.id() : ids.get();
        }
        boolean linked = mode == BatchMode.LINKED;
        TransferResult[] results = new TransferResult[n];
        int[] pending = new int[n];
        for (int i = 0; i < n; i++) {
            pending[i] = i;
        }
        int pendingCount = n;
        for (int attempt = 1; ; attempt++) {
            Instant now = now();
            List<TransferDraft> drafts = new ArrayList<>(pendingCount);
            for (int k = 0; k < pendingCount; k++) {
                TransferRequest r = items[pending[k]];
                drafts.add(TransferDraft.of(itemIds[pending[k]], r, now));
            }
            List<AppendResult> out = callStore(() -> store.appendBatch(drafts, mode), null);
            if (out.size() != pendingCount) {
                throw new LedgerUnavailableException(
                        LedgerUnavailableException.Kind.OUTCOME_UNKNOWN,
                        "the store answered " + out.size() + " results for a batch of " + pendingCount + " items",
                        null);
            }
            int retry = 0;
            String conflict = null;
            for (int k = 0; k < pendingCount; k++) {
                int position = pending[k];
                TransferRequest request = items[position];
                AppendResult result = out.get(k);
                if (result instanceof AppendResult.Recorded recorded) {
                    results[position] = new TransferResult.Recorded(recorded.transfer(), false);
                } else if (result instanceof AppendResult.AlreadyRecorded already) {
                    Transfer existing = already.existing();
                    if (existing.sameContentAs(request)) {
                        results[position] = new TransferResult.Recorded(existing, true);
                    } else {
                        String detail = "transfer id " + itemIds[position] + " was recorded as " + describe(existing)
                                + ", not as " + describe(request);
                        if (linked) {
                            throw new LedgerRejectedException(
                                    RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT, position, detail);
                        }
                        results[position] =
                                new TransferResult.Rejected(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT, detail);
                    }
                } else if (result instanceof AppendResult.Rejected rejected) {
                    if (linked) {
                        throw new LedgerRejectedException(rejected.reason(), position, rejected.detail());
                    }
                    results[position] = new TransferResult.Rejected(rejected.reason(), rejected.detail());
                } else {
                    if (result instanceof AppendResult.Conflict c) {
                        conflict = c.detail();
                    }
                    pending[retry++] = position;
                }
            }
            if (retry == 0) {
                if (observed) {
                    notifyBatch(results, attempt);
                }
                return List.of(results);
            }
            if (linked && conflict == null) {
                throw new LedgerUnavailableException(
                        LedgerUnavailableException.Kind.OUTCOME_UNKNOWN,
                        "the store aborted the" + " linked batch without naming the item that failed",
                        null);
            }
            backOff(
                    Operation.TRANSFER_BATCH,
                    attempt,
                    conflict == null ? "items of the batch lost a race" : conflict,
                    null);
            pendingCount = retry;
        }
    }

    /** Shorthand for {@code transfer(TransferRequest.of(source, destination, amount, currency))}. */
    public Transfer transfer(AccountId source, AccountId destination, long amount, String currency) {
        return transfer(TransferRequest.of(source, destination, amount, currency));
    }

    /** The account with this id, if it is open. */
    public Optional<Account> account(AccountId id) {
        return observed ? observe(Operation.ACCOUNT, () -> findAccount(id)) : findAccount(id);
    }

    private Optional<Account> findAccount(AccountId id) {
        Checks.present(id, "account id");
        return callStore(() -> store.findAccount(id), null);
    }

    /**
     * The transfer recorded under this id. If an attempt to record it is in progress (for example one whose client
     * connection dropped during COMMIT while the server finishes it), waits for that attempt's outcome. Once the call
     * that was recording the transfer has ended, an empty answer means it was not recorded and never will be by that
     * call: retrying with the same id is then safe and records it once.
     */
    public Optional<Transfer> findTransfer(UUID id) {
        return observed ? observe(Operation.FIND_TRANSFER, () -> lookUpTransfer(id)) : lookUpTransfer(id);
    }

    private Optional<Transfer> lookUpTransfer(UUID id) {
        Checks.present(id, "transfer id");
        if (coalescer != null) {
            coalescer.awaitWriting(id); // a coalesced batch holding the id: its outcome first
        }
        return callStore(() -> store.findTransfer(id), null);
    }

    /**
     * The account's balance now: credits minus debits of every recorded transfer.
     *
     * @throws LedgerRejectedException {@code ACCOUNT_NOT_FOUND}
     */
    public long balance(AccountId id) {
        return observed ? observe(Operation.BALANCE, () -> balanceOf(id, null)) : balanceOf(id, null);
    }

    /**
     * The account's balance as of {@code instant}: credits minus debits of the transfers recorded at or before it. Zero
     * before the account's first transfer. A transfer still being recorded when this is called counts only once
     * committed, so the answer for a recent instant can still change (up or down) while such transfers land; once the
     * store has sealed the instant (the PostgreSQL store's summaries) the answer is final. See {@code docs/design.md}.
     *
     * @throws LedgerRejectedException {@code ACCOUNT_NOT_FOUND}, {@code INVALID_INSTANT}
     */
    public long balanceAsOf(AccountId id, Instant instant) {
        return observed
                ? observe(Operation.BALANCE_AS_OF, () -> balanceOf(id, Checks.instant(instant, "instant")))
                : balanceOf(id, Checks.instant(instant, "instant"));
    }

    private long balanceOf(AccountId id, @Nullable Instant asOf) {
        Checks.present(id, "account id");
        OptionalLong balance = callStore(() -> store.balance(id, asOf), null);
        if (balance.isEmpty()) {
            throw new LedgerRejectedException(RejectionReason.ACCOUNT_NOT_FOUND, "account " + id + " does not exist");
        }
        return balance.getAsLong();
    }

    /**
     * The account's balances now: posted, pending debits, pending credits, and {@link Balances#available()}.
     *
     * @throws LedgerRejectedException {@code ACCOUNT_NOT_FOUND}
     */
    public Balances balances(AccountId id) {
        return observed ? observe(Operation.BALANCES, () -> balancesOf(id, null)) : balancesOf(id, null);
    }

    /**
     * The account's balances as of {@code instant}, over the transfers recorded at or before it: a pending transfer
     * counts while it is unresolved at {@code instant} and {@code instant} is before its expiry (at its expiry instant
     * it no longer counts). Final once sealed, as {@link #balanceAsOf}.
     *
     * @throws LedgerRejectedException {@code ACCOUNT_NOT_FOUND}, {@code INVALID_INSTANT}
     */
    public Balances balancesAsOf(AccountId id, Instant instant) {
        return observed
                ? observe(Operation.BALANCES_AS_OF, () -> balancesOf(id, Checks.instant(instant, "instant")))
                : balancesOf(id, Checks.instant(instant, "instant"));
    }

    private Balances balancesOf(AccountId id, @Nullable Instant asOf) {
        Checks.present(id, "account id");
        Instant now = readingForReads();
        Optional<Balances> balances = callStore(() -> store.balances(id, asOf, now), null);
        if (balances.isEmpty()) {
            throw new LedgerRejectedException(RejectionReason.ACCOUNT_NOT_FOUND, "account " + id + " does not exist");
        }
        return balances.get();
    }

    /**
     * A page of the account's statement: its transfers in both directions, ordered by recorded time then id.
     *
     * @throws LedgerRejectedException {@code ACCOUNT_NOT_FOUND}
     */
    public StatementPage statement(StatementQuery query) {
        return observed ? observe(Operation.STATEMENT, () -> statementPage(query)) : statementPage(query);
    }

    private StatementPage statementPage(StatementQuery query) {
        Checks.present(query, "statement query");
        if (findAccount(query.account()).isEmpty()) {
            throw new LedgerRejectedException(
                    RejectionReason.ACCOUNT_NOT_FOUND, "account " + query.account() + " does not exist");
        }
        Instant now = readingForReads();
        return callStore(() -> store.statement(query, now), null);
    }

    /**
     * Checks the recorded ledger against itself: recomputes every source's hash chain, index contiguity and cumulative
     * debits, the zero sum, every balance as of every instant (not only the final one), cumulative credits and debits
     * within 2^63-1, and every balance summary. Problems are reported as findings, not thrown. It reads everything, so
     * it takes time proportional to the ledger (seconds for hundreds of thousands of transfers in PostgreSQL).
     */
    public VerificationReport verify() {
        return verify(List.of());
    }

    /**
     * {@link #verify()}, and also checks that each of {@code trustedHeads} (exported earlier with {@link #chainHeads()}
     * and kept outside the store) is still recorded with the same hash: this detects a deleted tail and any rewrite of
     * a chain up to an exported head.
     */
    public VerificationReport verify(Collection<ChainHead> trustedHeads) {
        return observed ? observe(Operation.VERIFY, () -> verifyAgainst(trustedHeads)) : verifyAgainst(trustedHeads);
    }

    private VerificationReport verifyAgainst(Collection<ChainHead> trustedHeads) {
        Checks.present(trustedHeads, "trusted heads");
        for (ChainHead head : trustedHeads) {
            Checks.present(head, "trusted head");
        }
        List<ChainHead> copy = List.copyOf(trustedHeads);
        return callStore(() -> store.verify(copy), null);
    }

    /** The newest link of every source's hash chain, ordered by source: export them to verify against later. */
    public List<ChainHead> chainHeads() {
        return observed
                ? observe(Operation.CHAIN_HEADS, () -> callStore(store::chainHeads, null))
                : callStore(store::chainHeads, null);
    }

    /** Closes the store; with coalescing, first fails every request still queued (nothing recorded for them). */
    @Override
    public void close() {
        if (coalescer != null) {
            coalescer.close();
        }
        store.close();
    }

    private Instant now() {
        return Checks.clockReading(clock.instant());
    }

    /**
     * The clock's reading for a read (which pending transfers have expired): clamped into the storable range rather
     * than refused, so that a clock gone wrong never stops reads.
     */
    private Instant readingForReads() {
        Instant t = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        return t.isBefore(Checks.MIN_INSTANT)
                ? Checks.MIN_INSTANT
                : t.isAfter(Checks.MAX_INSTANT) ? Checks.MAX_INSTANT : t;
    }

    /** The clock's reading for a coalesced batch. */
    Instant clockReading() {
        return now();
    }

    /** A coalesced request lost a race (told to the listener as a conflict of its call). */
    void coalescedConflict(int attempt, String detail) {
        if (observed) {
            notifyConflict(Operation.TRANSFER, attempt, detail);
        }
    }

    /** A coalesced request was queued again after {@code backoffNanos}. */
    void coalescedRetry(int attempt, long backoffNanos) {
        if (observed) {
            notifyRetry(Operation.TRANSFER, attempt, backoffNanos);
        }
    }

    private void backOff(Operation operation, int attempt, String detail, @Nullable UUID transferId) {
        if (observed) {
            notifyConflict(operation, attempt, detail);
        }
        if (attempt >= retryPolicy.maxAttempts()) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.RETRIES_EXHAUSTED,
                    "gave up after " + attempt + " attempts, each lost to a concurrent debit; last: " + detail
                            + "; nothing was recorded",
                    transferId,
                    null);
        }
        long nanos = retryPolicy.backoffNanos(attempt, ThreadLocalRandom.current());
        if (nanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LedgerUnavailableException(
                        LedgerUnavailableException.Kind.INTERRUPTED,
                        "interrupted while backing off after attempt " + attempt
                                + "; nothing was recorded by this call",
                        transferId,
                        e);
            }
        }
        if (observed) {
            notifyRetry(operation, attempt, nanos);
        }
    }

    // ------------------------------------------------------------------------------------------- observation
    // Only reached when observed. Each listener call is guarded: a listener never changes a call's outcome.

    private <T> T observe(Operation operation, Supplier<T> call) {
        @Nullable Object context = started(operation);
        long start = System.nanoTime();
        T result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            failed(operation, context, start, e);
            throw e;
        }
        ended(operation, context, start, null);
        return result;
    }

    private @Nullable Object started(Operation operation) {
        try {
            return listener.callStarted(operation);
        } catch (RuntimeException | Error e) {
            ignore(e);
            return null;
        }
    }

    private void failed(Operation operation, @Nullable Object context, long start, RuntimeException failure) {
        try {
            if (failure instanceof LedgerRejectedException rejected) {
                listener.rejected(operation, rejected.reason());
            } else if (failure instanceof LedgerUnavailableException unavailable) {
                listener.unavailable(operation, unavailable.kind());
            }
        } catch (RuntimeException | Error e) {
            ignore(e);
        }
        ended(operation, context, start, failure);
    }

    private void ended(Operation operation, @Nullable Object context, long start, @Nullable RuntimeException failure) {
        long nanos = System.nanoTime() - start;
        try {
            listener.callEnded(operation, context, nanos, failure);
        } catch (RuntimeException | Error e) {
            ignore(e);
        }
    }

    private void notifyRecorded(int attempts, long nanos) {
        try {
            listener.transferRecorded(attempts, nanos);
        } catch (RuntimeException | Error e) {
            ignore(e);
        }
    }

    private void notifyBatch(TransferResult[] results, int attempts) {
        int recorded = 0;
        int replayed = 0;
        int rejected = 0;
        for (TransferResult result : results) {
            if (result instanceof TransferResult.Recorded r) {
                if (r.replayed()) {
                    replayed++;
                } else {
                    recorded++;
                }
            } else {
                rejected++;
            }
        }
        try {
            listener.batchEnded(results.length, recorded, replayed, rejected, attempts);
        } catch (RuntimeException | Error e) {
            ignore(e);
        }
    }

    private void notifyReplayed(int attempts, long nanos) {
        try {
            listener.transferReplayed(attempts, nanos);
        } catch (RuntimeException | Error e) {
            ignore(e);
        }
    }

    private void notifyConflict(Operation operation, int attempt, String detail) {
        try {
            listener.conflict(operation, attempt, detail);
        } catch (RuntimeException | Error e) {
            ignore(e);
        }
    }

    private void notifyRetry(Operation operation, int retry, long backoffNanos) {
        try {
            listener.retry(operation, retry, backoffNanos);
        } catch (RuntimeException | Error e) {
            ignore(e);
        }
    }

    /** A listener's exception is dropped, except a {@link VirtualMachineError}, which no code should swallow. */
    private static void ignore(Throwable listenerFailure) {
        if (listenerFailure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    private <T> T callStore(Supplier<T> call, @Nullable UUID transferId) {
        try {
            return call.get();
        } catch (LedgerRejectedException e) {
            throw e;
        } catch (LedgerUnavailableException e) {
            throw transferId != null && e.transferId() == null ? e.withTransferId(transferId) : e;
        } catch (RuntimeException e) {
            // A store must not throw anything else; if one does, a write may have happened.
            throw new LedgerUnavailableException(
                    transferId != null
                            ? LedgerUnavailableException.Kind.OUTCOME_UNKNOWN
                            : LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "store failed unexpectedly: " + e,
                    transferId,
                    e);
        }
    }

    static String describe(Transfer t) {
        return Checks.describe(t);
    }

    static String describe(TransferRequest r) {
        return Checks.describe(r.source(), r.destination(), r.amount(), r.currency(), r.reference(), r.metadata())
                + Checks.describePhase(r.kind(), r.pendingId(), r.expiresAt(), r.timeout());
    }

    /**
     * Configures a {@link Ledger}. Defaults: the system clock ({@link InstantSource#system()}),
     * {@link RetryPolicy#defaults()}, time-ordered (version 7) UUIDs for transfers without an id, no listener
     * ({@link LedgerListener#none()}), the store's {@link LedgerStore#defaultCoalescing()} and
     * {@link ForkJoinPool#commonPool()} for asynchronous work. Not thread-safe; the built ledger is.
     */
    public static final class Builder {
        private final LedgerStore store;
        private InstantSource clock = InstantSource.system();
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private @Nullable Supplier<UUID> ids;
        private LedgerListener listener = LedgerListener.none();
        private @Nullable Coalescing coalescing;
        private @Nullable Executor executor;

        private Builder(LedgerStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The clock that dates accounts and transfers; readings are truncated to microseconds. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /** The source of ids for transfers whose request has none; it must never repeat an id. */
        public Builder transferIds(Supplier<UUID> ids) {
            this.ids = Objects.requireNonNull(ids, "ids");
            return this;
        }

        /**
         * The listener told of every call, conflict and retry (see {@link LedgerListener}); default
         * {@link LedgerListener#none()}, which costs nothing. Exceptions it throws are ignored.
         */
        public Builder listener(LedgerListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Whether and how concurrent {@link Ledger#transfer(TransferRequest)} calls are combined into batches (see
         * {@link Coalescing}); default: the store's {@link LedgerStore#defaultCoalescing()} —
         * {@link Coalescing#natural()} for PostgreSQL (it adds no wait: a call alone is written at once, as a batch of
         * one), off in memory. {@link Coalescing#off()} gives one store call per {@code transfer} call.
         */
        public Builder coalescing(Coalescing coalescing) {
            this.coalescing = Objects.requireNonNull(coalescing, "coalescing");
            return this;
        }

        /**
         * The executor that runs {@link Ledger#transferAsync(TransferRequest)} work no caller is waiting for; default
         * {@link ForkJoinPool#commonPool()}. Containers that own their threads should give their own.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public Ledger build() {
            return new Ledger(this);
        }
    }
}

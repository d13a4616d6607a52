package dev.ledger.core.memory;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.BatchMode;
import dev.ledger.core.ChainHead;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.PendingStatus;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferKind;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.internal.Checks;
import dev.ledger.core.internal.LedgerVerifier;
import dev.ledger.core.internal.TransferHashes;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.core.spi.OpenResult;
import dev.ledger.core.spi.TransferDraft;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * The embedded store and the reference model: the ledger in this JVM's memory, lost when it exits.
 *
 * <p>It runs the same protocol as the PostgreSQL store, without any global lock: each account's debits hang off an
 * atomically replaced head (next index, cumulative debits, latest time); a debit reads the head and the account's
 * committed credits, checks the funds and compare-and-sets the head to claim the next index. When a concurrent debit
 * changed the head first, the attempt reports a conflict, exactly as a unique-key violation does in PostgreSQL. Credits
 * only raise a balance and need no coordination. A linked batch locks its sources' heads (see {@link #appendBatch}).
 *
 * <p>Recorded transfers are kept as rows of primitive columns ({@code TransferTable}), listed by row number in each
 * account's log and indexed by id in an open-addressing table: a transfer leaves no object behind for the garbage
 * collector to trace, and {@link Transfer} objects are built when read.
 *
 * <p>Balance reads are per account; a read of several accounts is not one snapshot (a transfer between two of them may
 * be seen half-applied for an instant). Thread-safe.
 */
public final class InMemoryLedgerStore implements LedgerStore {
    /** No time: an account never credited, or never debited. */
    private static final long NONE = Long.MIN_VALUE;

    private static final long MAX_MICROS = TransferTable.micros(Checks.MAX_INSTANT);

    private final ConcurrentHashMap<AccountId, AccountState> accounts = new ConcurrentHashMap<>();
    /** Every account state ever created (opened or not), by number: rows name accounts by number. */
    private volatile AccountState[] byNumber = new AccountState[64];

    private int numbers;
    private final TransferTable table =
            new TransferTable(n -> byNumber[n].account.id(), n -> byNumber[n].account.currency());
    private final IdIndex ids = new IdIndex();
    /** Every pending transfer's hold, by its id. */
    private final ConcurrentHashMap<UUID, Hold> holds = new ConcurrentHashMap<>();

    private final LogSlab logs = new LogSlab();

    public InMemoryLedgerStore() {}

    private synchronized AccountState newState(Account account) {
        AccountState[] registry = byNumber;
        if (numbers == registry.length) {
            registry = Arrays.copyOf(registry, registry.length * 2);
        }
        AccountState state = new AccountState(account, numbers, new AccountLog(table, logs));
        registry[numbers++] = state;
        byNumber = registry;
        return state;
    }

    @Override
    public OpenResult open(Account account, @Nullable TransferDraft funding) {
        AccountState state = newState(account);
        while (true) {
            AccountState existing = accounts.putIfAbsent(account.id(), state);
            if (existing == null) {
                break;
            }
            if (existing.awaitSettled()) {
                return new OpenResult.Rejected(
                        RejectionReason.ACCOUNT_EXISTS, "account " + account.id() + " already exists");
            }
        }
        if (funding == null) {
            state.settle(true);
            return new OpenResult.Opened(account, Optional.empty());
        }
        OpenResult result;
        try {
            result = fund(state, funding);
        } catch (RuntimeException | Error e) {
            accounts.remove(account.id(), state);
            state.settle(false);
            throw e;
        }
        if (result instanceof OpenResult.Opened) {
            state.settle(true);
        } else {
            accounts.remove(account.id(), state);
            state.settle(false);
        }
        return result;
    }

    private OpenResult fund(AccountState state, TransferDraft funding) {
        Account account = state.account;
        AccountState issuer = openAccount(funding.source());
        if (issuer == null) {
            return new OpenResult.Rejected(
                    RejectionReason.SOURCE_NOT_FOUND,
                    "funding issuer " + funding.source() + " of account " + account.id() + " does not exist");
        }
        if (!issuer.account.issuer()) {
            return new OpenResult.Rejected(
                    RejectionReason.FUNDING_ACCOUNT_NOT_ISSUER,
                    "account " + funding.source() + " funds the opening balance of " + account.id()
                            + " but is not an issuer");
        }
        AppendResult appended = appendOnce(funding, state);
        if (appended instanceof AppendResult.Recorded recorded) {
            return new OpenResult.Opened(account, Optional.of(recorded.transfer()));
        } else if (appended instanceof AppendResult.Rejected rejected) {
            return new OpenResult.Rejected(rejected.reason(), rejected.detail());
        } else if (appended instanceof AppendResult.AlreadyRecorded already) {
            return new OpenResult.Rejected(
                    RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                    "funding transfer id " + funding.id() + " is already recorded, for "
                            + already.existing().source() + " -> "
                            + already.existing().destination());
        } else {
            return new OpenResult.Conflict(((AppendResult.Conflict) appended).detail());
        }
    }

    @Override
    public AppendResult append(TransferDraft draft) {
        return appendOnce(draft, null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code INDEPENDENT}: the drafts are appended one by one, as {@link #append} does; after a draft lost a race,
     * every later draft whose source is the source or the destination of a draft that lost a race is reported as a
     * conflict too (it might otherwise spend, or apply before, what the lost draft would have moved).
     *
     * <p>{@code LINKED}: the batch claims its ids (waiting, while holding none, for an id another attempt is
     * recording), then locks its sources' heads in {@link AccountId} order, so that two batches never wait for each
     * other in a cycle; a single append that finds a locked head waits for it (it holds no head). With the heads locked
     * the drafts are checked in list order against the state the earlier drafts leave; if all pass, the transfers are
     * published, otherwise the heads, the reserved credit ceilings and the ids are released untouched. A linked batch
     * never loses a race, so it is never a {@link AppendResult.Conflict}.
     */
    @Override
    public List<AppendResult> appendBatch(List<TransferDraft> drafts, BatchMode mode) {
        return mode == BatchMode.LINKED ? appendLinked(drafts) : appendIndependent(drafts);
    }

    private List<AppendResult> appendIndependent(List<TransferDraft> drafts) {
        List<AppendResult> results = new ArrayList<>(drafts.size());
        Set<AccountId> conflicted = new HashSet<>();
        for (TransferDraft draft : drafts) {
            if (conflicted.contains(draft.source())) {
                conflicted.add(draft.destination());
                results.add(new AppendResult.Conflict(
                        "an earlier item of the batch moving money of " + draft.source() + " lost a race"));
                continue;
            }
            AppendResult result = appendOnce(draft, null);
            if (result instanceof AppendResult.AlreadyRecorded already && !sameContent(already.existing(), draft)) {
                result = idReused(already.existing(), draft);
            } else if (result instanceof AppendResult.Conflict) {
                conflicted.add(draft.source());
                conflicted.add(draft.destination());
            }
            results.add(result);
        }
        return results;
    }

    private static boolean sameContent(Transfer existing, TransferDraft draft) {
        return draft.sameContentAs(existing);
    }

    private static AppendResult.Rejected idReused(Transfer existing, TransferDraft draft) {
        return new AppendResult.Rejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                "transfer id " + draft.id()
                        + " was recorded as " + Checks.describe(existing) + ", not as "
                        + Checks.describe(
                                draft.source(),
                                draft.destination(),
                                draft.amount(),
                                draft.currency(),
                                draft.reference(),
                                draft.metadata())
                        + Checks.describePhase(draft.kind(), draft.pendingId(), draft.expiresAt(), draft.timeout()));
    }

    private List<AppendResult> appendLinked(List<TransferDraft> drafts) {
        int n = drafts.size();
        LinkedBatch batch = new LinkedBatch(drafts);
        try {
            batch.claimIds();
            batch.lockSources();
            int failed = batch.check();
            List<AppendResult> results = new ArrayList<>(n);
            if (failed < 0) {
                batch.publish();
                for (int i = 0; i < n; i++) {
                    Transfer t = batch.checked[i];
                    results.add(batch.isNew[i] ? new AppendResult.Recorded(t) : new AppendResult.AlreadyRecorded(t));
                }
            } else {
                for (int i = 0; i < n; i++) {
                    results.add(
                            i == failed
                                    ? batch.failure
                                    : new AppendResult.Aborted("item " + failed + " of the linked batch was rejected"));
                }
            }
            return results;
        } finally {
            batch.release();
        }
    }

    /** One attempt at a linked batch: its claimed ids, locked heads, reserved ceilings and checked transfers. */
    private final class LinkedBatch {
        final List<TransferDraft> drafts;
        /** Locks the batch's sources' heads; done when the batch ends. */
        final InFlight lock = new InFlight();

        final List<UUID> claimed = new ArrayList<>();
        /** Per item: the transfer it records or replays, once checked. */
        final Transfer[] checked;
        /** Per item: whether it records a new transfer (rather than replaying one). */
        final boolean[] isNew;
        /** Per new item: its source's cumulative debits after it. */
        final long[] debitsAfter;
        /** Per item: the transfer recorded earlier under its id, or the position of the batch's first item with it. */
        final Transfer[] recordedBefore;

        final int[] firstWithId;
        /** The locked heads, by source, with the head each replaced. */
        final Map<AccountState, Head> locked = new LinkedHashMap<>();

        final Map<AccountState, Work> work = new HashMap<>();
        final Map<AccountState, Long> reserved = new HashMap<>();
        /** The holds of the batch's new pending items, by id, and the holds its posts and voids resolve. */
        final Map<UUID, Hold> newHolds = new HashMap<>();

        final Map<UUID, TransferKind> resolving = new HashMap<>();

        @Nullable
        AppendResult failure;

        LinkedBatch(List<TransferDraft> drafts) {
            this.drafts = drafts;
            int n = drafts.size();
            checked = new Transfer[n];
            isNew = new boolean[n];
            debitsAfter = new long[n];
            recordedBefore = new Transfer[n];
            firstWithId = new int[n];
        }

        /** Claims every id not recorded yet; for an id in flight elsewhere, releases all, waits, and starts over. */
        void claimIds() {
            while (true) {
                Map<UUID, Integer> first = new HashMap<>();
                UUID blocked = null;
                for (int i = 0; i < drafts.size() && blocked == null; i++) {
                    UUID id = drafts.get(i).id();
                    Integer earlier = first.putIfAbsent(id, i);
                    firstWithId[i] = earlier == null ? -1 : earlier;
                    recordedBefore[i] = null;
                    if (earlier != null) {
                        continue;
                    }
                    int row = ids.claim(id, false);
                    if (row == IdIndex.ABSENT) {
                        claimed.add(id);
                    } else if (row >= 0) {
                        recordedBefore[i] = table.transfer(row);
                    } else {
                        blocked = id;
                    }
                }
                if (blocked == null) {
                    return;
                }
                releaseIds();
                ids.find(blocked);
            }
        }

        /**
         * Locks the heads of the existing sources of the items to check, and of their destinations with an upper limit,
         * in account id order.
         */
        void lockSources() {
            TreeMap<AccountId, AccountState> sources = new TreeMap<>();
            for (int i = 0; i < drafts.size(); i++) {
                if (firstWithId[i] < 0 && recordedBefore[i] == null) {
                    AccountState src = openAccount(drafts.get(i).source());
                    if (src != null) {
                        sources.put(src.account.id(), src);
                    }
                    AccountState dst = openAccount(drafts.get(i).destination());
                    if (dst != null && dst.account.hasUpperLimit()) {
                        sources.put(dst.account.id(), dst);
                    }
                }
            }
            for (AccountState src : sources.values()) {
                while (true) {
                    Head head = src.head;
                    if (head.lock != null) {
                        head.lock.await();
                    } else if (src.casHead(head, head.locked(lock))) {
                        locked.put(src, head);
                        break;
                    }
                }
            }
        }

        Work work(AccountState state) {
            Work w = work.get(state);
            if (w == null) {
                Head head = locked.get(state);
                w = new Work(head == null ? state.head : head, state.credits, state.latestCredit);
                work.put(state, w);
            }
            return w;
        }

        /** Checks the items in list order; returns the position of the first that fails ({@link #failure}), or -1. */
        int check() {
            for (int i = 0; i < drafts.size(); i++) {
                TransferDraft draft = drafts.get(i);
                Transfer existing = firstWithId[i] >= 0 ? checked[firstWithId[i]] : recordedBefore[i];
                if (existing != null) {
                    if (!sameContent(existing, draft)) {
                        failure = idReused(existing, draft);
                        return i;
                    }
                    checked[i] = existing;
                    continue;
                }
                AppendResult result = checkOne(draft, i);
                if (result instanceof AppendResult.Recorded recorded) {
                    checked[i] = recorded.transfer();
                    isNew[i] = true;
                } else {
                    failure = result;
                    return i;
                }
            }
            return -1;
        }

        private AppendResult checkOne(TransferDraft draft, int position) {
            AccountState src = openAccount(draft.source());
            if (src == null) {
                return new AppendResult.Rejected(
                        RejectionReason.SOURCE_NOT_FOUND, "source account " + draft.source() + " does not exist");
            }
            AccountState dst = openAccount(draft.destination());
            if (dst == null) {
                return new AppendResult.Rejected(
                        RejectionReason.DESTINATION_NOT_FOUND,
                        "destination account " + draft.destination() + " does not exist");
            }
            String currency = draft.currency();
            if (!src.account.currency().equals(currency)
                    || !dst.account.currency().equals(currency)) {
                return currencyMismatch(currency, src, dst);
            }
            if (!locked.containsKey(src)) {
                throw new IllegalStateException("source " + src.account.id() + " of a linked batch was not locked");
            }
            long amount = draft.amount();
            Work from = work(src);
            // A capped destination is locked like a source: its balance is exact here, and its credit is dated after
            // its every earlier transfer, so that its balance as of any instant is one this check allowed.
            Work capped = null;
            if (dst.account.hasUpperLimit()) {
                if (!locked.containsKey(dst)) {
                    throw new IllegalStateException(
                            "capped destination " + dst.account.id() + " of a batch was not locked");
                }
                capped = work(dst);
            }
            if (from.latestCredit != NONE && from.latestCredit >= MAX_MICROS) {
                return creditedTooLate(src, from.latestCredit);
            }
            long notBefore = TransferTable.micros(draft.notBefore());
            long at = Math.max(
                    Math.max(notBefore, from.latest), from.latestCredit == NONE ? NONE : from.latestCredit + 1);
            if (capped != null) {
                at = Math.max(at, Math.max(capped.latest, capped.latestCredit));
            }
            TransferKind kind = draft.kind();
            Hold hold = null;
            long expires = Long.MAX_VALUE;
            if (kind == TransferKind.POST || kind == TransferKind.VOID) {
                hold = newHolds.get(draft.pendingId());
                if (hold == null) {
                    hold = holds.get(draft.pendingId());
                }
                AppendResult.Rejected wrong = checkResolution(draft, hold, src, at);
                if (wrong != null) {
                    return wrong;
                }
            } else {
                long held = held(src, at, true);
                long available = from.credits - from.debits - held;
                if (!src.account.issuer() && available < amount + src.account.lowerLimit()) {
                    return insufficientFunds(src, available, held, amount);
                }
                if (capped != null) {
                    long dstBalance = capped.credits - capped.debits + held(dst, at, false);
                    if (dstBalance > dst.account.upperLimit() - amount) {
                        return upperLimitExceeded(dst, dstBalance, amount);
                    }
                }
                if (from.debits > Long.MAX_VALUE - amount - held) {
                    return debitsOverflow(src, from.debits + held, amount);
                }
                if (kind == TransferKind.PENDING) {
                    Instant expiry = draft.expiryWhenRecordedAt(TransferTable.instant(at));
                    if (expiry != null) {
                        if (expiry.isAfter(Checks.MAX_INSTANT) || TransferTable.micros(expiry) <= at) {
                            return new AppendResult.Rejected(
                                    RejectionReason.INVALID_EXPIRY,
                                    "pending transfer " + draft.id()
                                            + " would be recorded at " + TransferTable.instant(at) + " and expire at "
                                            + (expiry.isAfter(Checks.MAX_INSTANT)
                                                    ? "a time beyond " + Checks.MAX_INSTANT
                                                    : expiry)
                                            + "; it must expire after it is recorded");
                        }
                        expires = TransferTable.micros(expiry);
                    }
                }
            }
            long posted = kind == TransferKind.IMMEDIATE || kind == TransferKind.POST ? amount : 0;
            if (posted > 0) {
                AppendResult.Rejected overflow = reserveCredit(dst, posted);
                if (overflow != null) {
                    return overflow;
                }
                reserved.merge(dst, posted, Long::sum);
            }
            Instant recordedAt = at == notBefore ? draft.notBefore() : TransferTable.instant(at);
            Transfer transfer = new Transfer(
                    draft.id(),
                    src.account.id(),
                    from.nextIndex,
                    dst.account.id(),
                    amount,
                    currency,
                    recordedAt,
                    draft.reference(),
                    draft.metadata(),
                    kind,
                    draft.pendingId(),
                    expires == Long.MAX_VALUE ? null : TransferTable.instant(expires));
            from.nextIndex++;
            from.debits += posted;
            from.latest = at;
            debitsAfter[position] = from.debits;
            Work to = work(dst);
            to.credits = Math.addExact(to.credits, posted);
            to.latestCredit = Math.max(at, to.latestCredit);
            if (kind == TransferKind.PENDING) {
                newHolds.put(draft.id(), new Hold(draft.id(), src, dst, amount, at, expires));
            } else if (hold != null) {
                resolving.put(hold.id, kind);
            }
            return new AppendResult.Recorded(transfer);
        }

        /** Why a post or void of {@code hold} (null: not found), dated {@code at}, is refused; null when it is not. */
        private AppendResult.@Nullable Rejected checkResolution(
                TransferDraft draft, @Nullable Hold hold, AccountState src, long at) {
            String verb = draft.kind() == TransferKind.POST ? "post" : "void";
            if (hold == null || hold.src != src) {
                return new AppendResult.Rejected(
                        RejectionReason.PENDING_NOT_FOUND,
                        verb + " " + draft.id() + " names " + draft.pendingId()
                                + ", which is not a pending transfer of " + draft.source());
            }
            if (!hold.dst.account.id().equals(draft.destination())
                    || !hold.src.account.currency().equals(draft.currency())
                    || (draft.kind() == TransferKind.VOID && draft.amount() != hold.amount)) {
                return new AppendResult.Rejected(
                        RejectionReason.PENDING_MISMATCH,
                        verb + " " + draft.id() + " of pending "
                                + hold.id + " names " + draft.destination() + " " + draft.amount() + " "
                                + draft.currency()
                                + "; the pending transfer is " + hold.src.account.id() + " -> " + hold.dst.account.id()
                                + " "
                                + hold.amount + " " + hold.src.account.currency());
            }
            TransferKind inBatch = resolving.get(hold.id);
            TransferKind done = inBatch != null ? inBatch : hold.resolvedAs;
            if (done != null) {
                UUID by = inBatch != null ? null : hold.resolvedBy;
                boolean posted = done == TransferKind.POST;
                return new AppendResult.Rejected(
                        posted ? RejectionReason.PENDING_ALREADY_POSTED : RejectionReason.PENDING_ALREADY_VOIDED,
                        "pending transfer " + hold.id + " was already " + (posted ? "posted" : "voided")
                                + (by == null ? " by an earlier item of this batch" : " by " + by));
            }
            if (at >= hold.expires) {
                return new AppendResult.Rejected(
                        RejectionReason.PENDING_EXPIRED,
                        "pending transfer " + hold.id
                                + " expired at " + TransferTable.instant(hold.expires) + "; the " + verb
                                + " would be recorded at "
                                + TransferTable.instant(at));
            }
            if (draft.kind() == TransferKind.POST && draft.amount() > hold.amount) {
                return new AppendResult.Rejected(
                        RejectionReason.POST_EXCEEDS_PENDING,
                        "post " + draft.id() + " of " + draft.amount() + " exceeds the " + hold.amount
                                + " pending transfer " + hold.id + " holds");
            }
            return null;
        }

        /**
         * The holds of {@code state} at {@code at} as source (or, when not {@code asSource}, crediting it): published
         * and unresolved, or new in this batch; neither resolved in this batch nor expired then.
         */
        private long held(AccountState state, long at, boolean asSource) {
            long sum = 0;
            for (Hold h : state.openHolds(asSource)) {
                if (h.expires > at && !resolving.containsKey(h.id)) {
                    sum = Math.addExact(sum, h.amount);
                }
            }
            for (Hold h : newHolds.values()) {
                if ((asSource ? h.src : h.dst) == state && h.expires > at && !resolving.containsKey(h.id)) {
                    sum = Math.addExact(sum, h.amount);
                }
            }
            return sum;
        }

        /**
         * Installs the new heads (still locked), then the rows, log entries and credits, then unlocks the heads, then
         * settles the ids. The heads stay locked until the credits are in: a capped destination's next locker must see
         * every credit this batch made to it (its upper limit is checked against them), and a source's debits are
         * visible before the credits (a balance read is never more than real).
         */
        void publish() {
            Map<AccountState, Head> installed = new LinkedHashMap<>();
            // The holds first: a head is installed (still locked) only once its holds are in place.
            for (Hold h : newHolds.values()) {
                holds.put(h.id, h);
                h.src.addHold(h);
            }
            for (int i = 0; i < drafts.size(); i++) {
                if (isNew[i] && checked[i].pendingId() != null) {
                    // (this batch's new holds are in the map by now)
                    Hold h = Objects.requireNonNull(holds.get(checked[i].pendingId()));
                    h.resolve(checked[i].id(), checked[i].kind(), TransferTable.micros(checked[i].recordedAt()));
                }
            }
            for (Map.Entry<AccountState, Head> entry : locked.entrySet()) {
                AccountState state = entry.getKey();
                Work w = work.get(state);
                Head head = w == null
                        ? entry.getValue()
                        : new Head(w.nextIndex, w.debits, w.latest, state.holdsUntil(), null);
                installed.put(state, head);
                state.setHead(head.locked(lock));
            }
            locked.clear();
            int[] rows = new int[drafts.size()];
            try {
                for (int i = 0; i < drafts.size(); i++) {
                    if (isNew[i]) {
                        Transfer t = checked[i];
                        AccountState src = Objects.requireNonNull(accounts.get(t.source()));
                        AccountState dst = Objects.requireNonNull(accounts.get(t.destination()));
                        long at = TransferTable.micros(t.recordedAt());
                        long posted = t.postedAmount();
                        rows[i] = table.add(
                                t.id(),
                                src.number,
                                dst.number,
                                t.amount(),
                                at,
                                t.sourceIndex(),
                                debitsAfter[i],
                                t.reference(),
                                t.metadata(),
                                t.kind() == TransferKind.IMMEDIATE
                                        ? null
                                        : new TransferTable.Phase(t.kind(), t.pendingId(), t.expiresAt()));
                        src.log.add(at, -posted, rows[i], false);
                        dst.log.add(at, posted, rows[i], true);
                        dst.raiseLatestCredit(at);
                        dst.addCredits(posted);
                    }
                }
                reserved.clear();
            } finally {
                for (Map.Entry<AccountState, Head> entry : installed.entrySet()) {
                    entry.getKey().setHead(entry.getValue());
                }
            }
            for (int i = 0; i < drafts.size(); i++) {
                if (isNew[i]) {
                    ids.settle(checked[i].id(), rows[i]);
                }
            }
            // The claimed ids were exactly those of the new items: all settled now.
            claimed.clear();
        }

        private void releaseIds() {
            for (UUID id : claimed) {
                ids.settle(id, -1);
            }
            claimed.clear();
        }

        /** Undoes whatever the batch still holds (all of it unless published), and wakes its waiters. */
        void release() {
            try {
                for (Map.Entry<AccountState, Head> entry : locked.entrySet()) {
                    entry.getKey().setHead(entry.getValue());
                }
                locked.clear();
                for (Map.Entry<AccountState, Long> entry : reserved.entrySet()) {
                    entry.getKey().addCeiling(-entry.getValue());
                }
                reserved.clear();
                releaseIds();
            } finally {
                lock.done();
            }
        }
    }

    /** An account's state as a linked batch's earlier items leave it (times in epoch micros). */
    private static final class Work {
        long nextIndex;
        long debits;
        long latest;
        long credits;
        long latestCredit;

        Work(Head head, long credits, long latestCredit) {
            this.nextIndex = head.nextIndex;
            this.debits = head.debits;
            this.latest = head.latest;
            this.credits = credits;
            this.latestCredit = latestCredit;
        }
    }

    /**
     * Claims the id, then makes one attempt; {@code funded} overrides the lookup of the destination for a funding
     * transfer. The destination is looked up once, here: a capped one is credited only under its lock
     * ({@link #appendCapped}), so the attempt must credit the very account this decision saw (one opened in between is
     * not found yet).
     */
    private AppendResult appendOnce(TransferDraft draft, @Nullable AccountState funded) {
        if (draft.kind() != TransferKind.IMMEDIATE) {
            return appendLocked(draft);
        }
        AccountState dst = funded != null ? funded : openAccount(draft.destination());
        if (dst != null && dst.account.hasUpperLimit()) {
            if (funded == null) {
                return appendLocked(draft);
            }
            if (draft.amount() > dst.account.upperLimit()) {
                return upperLimitExceeded(dst, 0, draft.amount()); // an opening balance above the new account's cap
            }
        }
        UUID id = draft.id();
        int row = ids.claim(id, true);
        if (row >= 0) {
            return new AppendResult.AlreadyRecorded(table.transfer(row));
        }
        boolean settled = false;
        AppendResult result;
        try {
            result = attempt(draft, dst);
            settled = result instanceof AppendResult.Recorded;
        } finally {
            if (!settled) {
                ids.settle(id, -1);
            }
        }
        return result == HELD ? appendLocked(draft) : result;
    }

    /** What {@link #attempt} answers when the source holds pending amounts: the draft is checked under its lock. */
    private static final AppendResult HELD = new AppendResult.Conflict("the source has pending transfers");

    /**
     * One attempt with the id claimed, to the destination {@link #appendOnce} found (null: none); when it records the
     * transfer, it also settles the id.
     */
    private AppendResult attempt(TransferDraft draft, @Nullable AccountState dst) {
        AccountState src = openAccount(draft.source());
        if (src == null) {
            return new AppendResult.Rejected(
                    RejectionReason.SOURCE_NOT_FOUND, "source account " + draft.source() + " does not exist");
        }
        if (dst == null) {
            return new AppendResult.Rejected(
                    RejectionReason.DESTINATION_NOT_FOUND,
                    "destination account " + draft.destination() + " does not exist");
        }
        String currency = draft.currency();
        if (!src.account.currency().equals(currency) || !dst.account.currency().equals(currency)) {
            return currencyMismatch(currency, src, dst);
        }
        long amount = draft.amount();
        // Read the head before the credits: credits only grow, so the balance computed is never more than real. A head
        // locked by a linked batch is waited for (this attempt holds no head, so it cannot be part of a cycle).
        Head head;
        InFlight waitFor;
        while ((waitFor = (head = src.head).lock) != null) {
            waitFor.await();
        }
        if (head.holdsUntil != NONE
                && !src.account.issuer()
                && TransferTable.micros(draft.notBefore()) < head.holdsUntil) {
            return HELD; // pending debits may count: decided under the source's lock, where they are exact
        }
        long credits = src.credits;
        long latestCredit = src.latestCredit;
        long balance = credits - head.debits;
        if (!src.account.issuer() && balance < amount + src.account.lowerLimit()) {
            return insufficientFunds(src, balance, amount);
        }
        if (head.debits > Long.MAX_VALUE - amount) {
            return debitsOverflow(src, head.debits, amount);
        }
        // Dated after every credit counted above (one microsecond after the newest), so that in statement order no
        // debit sorts before a credit it spends.
        if (latestCredit != NONE && latestCredit >= MAX_MICROS) {
            return creditedTooLate(src, latestCredit);
        }
        long notBefore = TransferTable.micros(draft.notBefore());
        long at = Math.max(Math.max(notBefore, head.latest), latestCredit == NONE ? NONE : latestCredit + 1);
        AppendResult.Rejected overflow = reserveCredit(dst, amount);
        if (overflow != null) {
            return overflow;
        }
        long debits = head.debits + amount;
        if (!src.casHead(head, new Head(head.nextIndex + 1, debits, at, head.holdsUntil, null))) {
            dst.addCeiling(-amount);
            return new AppendResult.Conflict(
                    "index " + head.nextIndex + " of source " + src.account.id() + " was taken by a concurrent debit");
        }
        int row = table.add(
                draft.id(),
                src.number,
                dst.number,
                amount,
                at,
                head.nextIndex,
                debits,
                draft.reference(),
                draft.metadata());
        src.log.add(at, -amount, row, false);
        dst.log.add(at, amount, row, true);
        // Publish the credit's time before its amount: whoever counts the amount then sees the time.
        dst.raiseLatestCredit(at);
        dst.addCredits(amount);
        Transfer transfer = new Transfer(
                draft.id(),
                src.account.id(),
                head.nextIndex,
                dst.account.id(),
                amount,
                currency,
                at == notBefore ? draft.notBefore() : TransferTable.instant(at),
                draft.reference(),
                draft.metadata());
        ids.settle(draft.id(), row);
        return new AppendResult.Recorded(transfer);
    }

    /**
     * A credit to an account with an upper limit, a two-phase draft, or a debit of a source with pending transfers: a
     * linked batch of one, which locks the source's head (and a capped destination's, in id order) so that its holds
     * and a capped account's credits are checked one at a time. As {@link #append}, an id recorded with other content
     * is answered as already recorded.
     */
    private AppendResult appendLocked(TransferDraft draft) {
        AppendResult result = appendLinked(List.of(draft)).get(0);
        if (result instanceof AppendResult.Rejected rejected
                && rejected.reason() == RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT) {
            Optional<Transfer> existing = findTransfer(draft.id());
            if (existing.isPresent()) {
                return new AppendResult.AlreadyRecorded(existing.get());
            }
        }
        return result;
    }

    private static AppendResult.Rejected upperLimitExceeded(AccountState dst, long balance, long amount) {
        return new AppendResult.Rejected(
                RejectionReason.UPPER_LIMIT_EXCEEDED,
                "account " + dst.account.id()
                        + " has balance " + balance + " and upper limit " + dst.account.upperLimit() + ": a credit of "
                        + amount
                        + " would take it above");
    }

    private static AppendResult.Rejected currencyMismatch(String currency, AccountState src, AccountState dst) {
        return new AppendResult.Rejected(
                RejectionReason.CURRENCY_MISMATCH,
                "transfer in " + currency + " from " + src.account.id() + " (" + src.account.currency() + ") to "
                        + dst.account.id() + " (" + dst.account.currency() + ")");
    }

    private static AppendResult.Rejected insufficientFunds(AccountState src, long balance, long amount) {
        return insufficientFunds(src, balance, 0, amount);
    }

    /** {@code available}: the posted balance minus the {@code held} pending debits. */
    private static AppendResult.Rejected insufficientFunds(AccountState src, long available, long held, long amount) {
        long limit = src.account.lowerLimit();
        String balance = held == 0 ? "balance " + available : "available balance " + available + " (" + held + " held)";
        return new AppendResult.Rejected(
                RejectionReason.INSUFFICIENT_FUNDS,
                limit == 0
                        ? "account " + src.account.id() + " has " + balance + ", less than the amount " + amount
                        : "account " + src.account.id() + " has " + balance + " and lower limit " + limit
                                + ": the amount " + amount + " would take it below");
    }

    private static AppendResult.Rejected debitsOverflow(AccountState src, long debits, long amount) {
        return new AppendResult.Rejected(
                RejectionReason.BALANCE_OVERFLOW,
                "cumulative debits of " + src.account.id() + " are " + debits + "; adding " + amount + " overflows");
    }

    private static AppendResult.Rejected creditedTooLate(AccountState src, long latestCredit) {
        return new AppendResult.Rejected(
                RejectionReason.INVALID_INSTANT,
                "account " + src.account.id()
                        + " was credited at " + TransferTable.instant(latestCredit)
                        + ", the latest instant a ledger records; no debit can follow it");
    }

    /** Reserves {@code amount} of the destination's credit ceiling, or says why it would overflow. */
    private static AppendResult.@Nullable Rejected reserveCredit(AccountState dst, long amount) {
        long ceiling;
        do {
            ceiling = dst.creditCeiling;
            if (ceiling > Long.MAX_VALUE - amount) {
                return new AppendResult.Rejected(
                        RejectionReason.BALANCE_OVERFLOW,
                        "cumulative credits of " + dst.account.id() + " are " + ceiling + "; adding " + amount
                                + " overflows");
            }
        } while (!dst.casCeiling(ceiling, ceiling + amount));
        return null;
    }

    @Override
    public Optional<Account> findAccount(AccountId id) {
        AccountState state = openAccount(id);
        return state == null ? Optional.empty() : Optional.of(state.account);
    }

    @Override
    public Optional<Transfer> findTransfer(UUID id) {
        int row = ids.find(id);
        return row < 0 ? Optional.empty() : Optional.of(table.transfer(row));
    }

    @Override
    public OptionalLong balance(AccountId id, @Nullable Instant asOf) {
        AccountState state = openAccount(id);
        if (state == null) {
            return OptionalLong.empty();
        }
        if (asOf == null) {
            long debits = state.head.debits;
            return OptionalLong.of(state.credits - debits);
        }
        return OptionalLong.of(state.log.balanceAsOf(asOf));
    }

    @Override
    public Optional<Balances> balances(AccountId id, @Nullable Instant asOf, Instant now) {
        AccountState state = openAccount(id);
        if (state == null) {
            return Optional.empty();
        }
        if (asOf == null) {
            long micros = TransferTable.micros(now);
            long debits = state.head.debits;
            return Optional.of(
                    new Balances(state.credits - debits, state.heldNow(micros, true), state.heldNow(micros, false)));
        }
        long micros = TransferTable.micros(asOf);
        return Optional.of(
                new Balances(state.log.balanceAsOf(asOf), state.heldAt(micros, true), state.heldAt(micros, false)));
    }

    @Override
    public StatementPage statement(StatementQuery query, Instant now) {
        AccountState state = openAccount(query.account());
        if (state == null) {
            return new StatementPage(List.of(), null);
        }
        StatementPage page = state.log.page(query);
        if (page.lines().stream().noneMatch(l -> l.transfer().isPending())) {
            return page;
        }
        long micros = TransferTable.micros(now);
        List<StatementLine> lines = new ArrayList<>(page.lines().size());
        for (StatementLine line : page.lines()) {
            Transfer t = line.transfer();
            if (t.isPending()) {
                Hold hold = Objects.requireNonNull(holds.get(t.id()));
                TransferKind r = hold.resolvedAs;
                PendingStatus status = r == TransferKind.POST
                        ? PendingStatus.POSTED
                        : r == TransferKind.VOID
                                ? PendingStatus.VOIDED
                                : micros >= hold.expires ? PendingStatus.EXPIRED : PendingStatus.PENDING;
                line = new StatementLine(t, line.change(), line.balanceAfter(), status);
            }
            lines.add(line);
        }
        return new StatementPage(lines, page.next());
    }

    @Override
    public void close() {}

    private @Nullable AccountState openAccount(AccountId id) {
        AccountState state = accounts.get(id);
        return state != null && state.isOpen() ? state : null;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Not a snapshot: run it while no transfer is being recorded, or a debit whose index was claimed but not yet
     * published may show as a gap.
     */
    @Override
    public VerificationReport verify(Collection<ChainHead> trustedHeads) {
        return run(trustedHeads, true).finish();
    }

    @Override
    public List<ChainHead> chainHeads() {
        LedgerVerifier verifier = run(List.of(), false);
        verifier.finish();
        return verifier.heads();
    }

    private LedgerVerifier run(Collection<ChainHead> trustedHeads, boolean balancesOverTime) {
        LedgerVerifier verifier = new LedgerVerifier(trustedHeads);
        List<AccountState> open = new ArrayList<>();
        for (AccountState state : accounts.values()) {
            if (state.isOpen()) {
                open.add(state);
            }
        }
        open.sort((a, b) -> a.account.id().compareTo(b.account.id()));
        for (AccountState state : open) {
            verifier.account(
                    state.account.id().value(),
                    state.account.currency(),
                    state.account.issuer(),
                    state.account.lowerLimit(),
                    state.account.upperLimit());
        }
        for (AccountState state : open) {
            verifier.storedCredits(state.account.id().value(), state.credits);
        }
        for (AccountState state : open) {
            // The chain hashes are derived here, in index order, rather than on the transfer path: nothing can alter a
            // recorded transfer in memory, and hashing every transfer as it is recorded would dominate its cost.
            List<Integer> rows = new ArrayList<>();
            state.log.forEachDebit(rows::add);
            rows.sort((a, b) -> Long.compare(table.sourceIndex(a), table.sourceIndex(b)));
            byte[] hash = TransferHashes.zero();
            for (int row : rows) {
                Transfer t = table.transfer(row);
                hash = TransferHashes.chain(hash, t);
                verifier.transfer(
                        t.id(),
                        t.source().value(),
                        t.sourceIndex(),
                        t.destination().value(),
                        t.amount(),
                        t.currency(),
                        TransferHashes.epochMicros(t.recordedAt()),
                        t.reference(),
                        t.metadata(),
                        t.kind(),
                        t.pendingId(),
                        t.expiresAt() == null ? null : TransferHashes.epochMicros(t.expiresAt()),
                        table.debitsAfter(row),
                        hash);
            }
        }
        // The balances over time, from each account's log in statement order (recorded time, then id).
        for (AccountState state : balancesOverTime ? open : List.<AccountState>of()) {
            String account = state.account.id().value();
            List<Integer> rows = new ArrayList<>();
            List<Boolean> credits = new ArrayList<>();
            state.log.forEachRow((row, credit) -> {
                rows.add(row);
                credits.add(credit);
            });
            for (int i = 0; i < rows.size(); i++) {
                Transfer t = table.transfer(rows.get(i));
                verifier.balanceChange(
                        account,
                        TransferHashes.epochMicros(t.recordedAt()),
                        credits.get(i),
                        t.postedAmount(),
                        t.id(),
                        t.source().value(),
                        t.sourceIndex());
            }
        }
        return verifier;
    }

    /**
     * The debit side of an account, replaced atomically by each debit: the next index, the cumulative debits and the
     * latest time (epoch micros, {@link #NONE} before the first debit); {@code lock} is set while a linked batch holds
     * the account (the values are then the committed ones).
     */
    private record Head(
            long nextIndex,
            long debits,
            long latest,
            long holdsUntil,
            @Nullable InFlight lock) {
        static final Head EMPTY = new Head(0, 0, NONE, NONE, null);

        /** This head, locked by a linked batch until {@code lock} is done: the same committed values. */
        Head locked(InFlight lock) {
            return new Head(nextIndex, debits, latest, holdsUntil, lock);
        }
    }

    /**
     * A pending transfer's hold on its source's available balance (and its destination's pending credits), from its
     * recording to its resolution or expiry (epoch micros; {@link Long#MAX_VALUE}: never). Resolved once, under the
     * source's lock.
     */
    private static final class Hold {
        final UUID id;
        final AccountState src;
        final AccountState dst;
        final long amount;
        final long created;
        final long expires;
        volatile long resolvedAt = Long.MAX_VALUE;
        /** How it was resolved, POST or VOID; null while unresolved. */
        volatile @Nullable TransferKind resolvedAs;

        volatile @Nullable UUID resolvedBy;

        Hold(UUID id, AccountState src, AccountState dst, long amount, long created, long expires) {
            this.id = id;
            this.src = src;
            this.dst = dst;
            this.amount = amount;
            this.created = created;
            this.expires = expires;
        }

        void resolve(UUID by, TransferKind kind, long at) {
            resolvedBy = by;
            resolvedAt = at;
            resolvedAs = kind;
            src.closeHold(this);
        }

        /** Whether the hold counts as of {@code at}: recorded by then, neither resolved nor expired. */
        boolean countsAt(long at) {
            return created <= at && at < resolvedAt && at < expires;
        }
    }

    /** One account: its head, credits and log, in fields updated atomically through var handles. */
    private static final class AccountState {
        private static final VarHandle HEAD;
        private static final VarHandle CREDITS;
        private static final VarHandle CEILING;
        private static final VarHandle LATEST_CREDIT;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                HEAD = lookup.findVarHandle(AccountState.class, "head", Head.class);
                CREDITS = lookup.findVarHandle(AccountState.class, "credits", long.class);
                CEILING = lookup.findVarHandle(AccountState.class, "creditCeiling", long.class);
                LATEST_CREDIT = lookup.findVarHandle(AccountState.class, "latestCredit", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Account account;
        /** The account's number in the rows of the {@link TransferTable}. */
        final int number;
        /** Both directions in statement order, with running balances. */
        final AccountLog log;

        volatile Head head = Head.EMPTY;
        /** Cumulative credits recorded. */
        volatile long credits;
        /** Cumulative credits recorded plus those being recorded: guards against overflow before a debit commits. */
        volatile long creditCeiling;
        /** The latest credit's time in epoch micros, or {@link #NONE}. */
        volatile long latestCredit = NONE;
        /**
         * The account's pending transfers as source and as destination: all of them (for balances as of an instant),
         * and the unresolved ones (for the checks, under the source's lock). Guarded by this state's monitor.
         */
        private final List<Hold> holdsAsSource = new ArrayList<>(0);

        private final List<Hold> holdsAsDestination = new ArrayList<>(0);
        private final List<Hold> openAsSource = new ArrayList<>(0);
        private final List<Hold> openAsDestination = new ArrayList<>(0);
        /** Counted down when the opening attempt settles; until then the account is invisible. */
        private final CountDownLatch settled = new CountDownLatch(1);

        private volatile boolean open;

        AccountState(Account account, int number, AccountLog log) {
            this.account = account;
            this.number = number;
            this.log = log;
        }

        /** Registers a new hold of this source (and with its destination). */
        void addHold(Hold hold) {
            synchronized (this) {
                holdsAsSource.add(hold);
                openAsSource.add(hold);
            }
            synchronized (hold.dst) {
                hold.dst.holdsAsDestination.add(hold);
                hold.dst.openAsDestination.add(hold);
            }
        }

        /** Removes a resolved hold of this source from the unresolved ones (its own and its destination's). */
        void closeHold(Hold hold) {
            synchronized (this) {
                openAsSource.remove(hold);
            }
            synchronized (hold.dst) {
                hold.dst.openAsDestination.remove(hold);
            }
        }

        /** A copy of the unresolved holds of this account as source (or as destination). */
        synchronized List<Hold> openHolds(boolean asSource) {
            return new ArrayList<>(asSource ? openAsSource : openAsDestination);
        }

        /** The pending debits (or credits) of this account as of {@code at}. */
        synchronized long heldAt(long at, boolean asSource) {
            long sum = 0;
            for (Hold h : asSource ? holdsAsSource : holdsAsDestination) {
                if (h.countsAt(at)) {
                    sum += h.amount;
                }
            }
            return sum;
        }

        /** The pending debits (or credits) of this account now: unresolved holds not expired at {@code now}. */
        synchronized long heldNow(long now, boolean asSource) {
            long sum = 0;
            for (Hold h : asSource ? openAsSource : openAsDestination) {
                if (h.expires > now) {
                    sum += h.amount;
                }
            }
            return sum;
        }

        /** The latest expiry of this source's unresolved holds ({@link Long#MAX_VALUE}: one never expires), or NONE. */
        synchronized long holdsUntil() {
            long until = NONE;
            for (Hold h : openAsSource) {
                until = Math.max(until, h.expires);
            }
            return until;
        }

        boolean casHead(Head expected, Head next) {
            return HEAD.compareAndSet(this, expected, next);
        }

        void setHead(Head next) {
            head = next;
        }

        boolean casCeiling(long expected, long next) {
            return CEILING.compareAndSet(this, expected, next);
        }

        void addCeiling(long delta) {
            CEILING.getAndAdd(this, delta);
        }

        void addCredits(long amount) {
            CREDITS.getAndAdd(this, amount);
        }

        void raiseLatestCredit(long micros) {
            long current;
            do {
                current = latestCredit;
            } while (current < micros && !LATEST_CREDIT.compareAndSet(this, current, micros));
        }

        boolean isOpen() {
            return open;
        }

        void settle(boolean opened) {
            this.open = opened;
            settled.countDown();
        }

        /** Waits until the opening attempt settles; returns whether the account opened. */
        boolean awaitSettled() {
            try {
                settled.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LedgerUnavailableException(
                        LedgerUnavailableException.Kind.INTERRUPTED,
                        "interrupted while waiting for a concurrent opening of account " + account.id(),
                        e);
            }
            return open;
        }
    }

    /** Marks an account locked by a linked batch in progress; others wait for it. Batches are rare: a monitor. */
    private static final class InFlight {
        private boolean done;

        synchronized void done() {
            done = true;
            notifyAll();
        }

        synchronized void await() {
            try {
                while (!done) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LedgerUnavailableException(
                        LedgerUnavailableException.Kind.INTERRUPTED,
                        "interrupted while waiting for a linked batch holding an account",
                        e);
            }
        }
    }
}

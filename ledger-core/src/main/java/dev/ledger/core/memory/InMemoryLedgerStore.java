package dev.ledger.core.memory;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.ChainHead;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.internal.Checks;
import dev.ledger.core.internal.LedgerVerifier;
import dev.ledger.core.internal.TransferHashes;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.core.spi.OpenResult;
import dev.ledger.core.spi.TransferDraft;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The embedded store and the reference model: the ledger in this JVM's memory, lost when it exits.
 *
 * <p>It runs the same protocol as the PostgreSQL store, without any global lock: each account's debits hang
 * off an atomically replaced head (next index, cumulative debits, latest time); a debit reads the head and
 * the account's committed credits, checks the funds and compare-and-sets the head to claim the next index.
 * When a concurrent debit changed the head first, the attempt reports a conflict, exactly as a unique-key
 * violation does in PostgreSQL. Credits only raise a balance and need no coordination.
 *
 * <p>Balance reads are per account; a read of several accounts is not one snapshot (a transfer between two
 * of them may be seen half-applied for an instant). Thread-safe.
 */
public final class InMemoryLedgerStore implements LedgerStore {
  private final ConcurrentHashMap<AccountId, AccountState> accounts = new ConcurrentHashMap<>();
  /** Values: a recorded {@link Transfer}, or the {@link InFlight} marker of an attempt using the id. */
  private final ConcurrentHashMap<UUID, Object> transfers = new ConcurrentHashMap<>();

  public InMemoryLedgerStore() {}

  @Override
  public OpenResult open(Account account, @Nullable TransferDraft funding) {
    AccountState state = new AccountState(account);
    while (true) {
      AccountState existing = accounts.putIfAbsent(account.id(), state);
      if (existing == null) {
        break;
      }
      if (existing.awaitSettled()) {
        return new OpenResult.Rejected(RejectionReason.ACCOUNT_EXISTS, "account " + account.id() + " already exists");
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
      return new OpenResult.Rejected(RejectionReason.SOURCE_NOT_FOUND,
          "funding issuer " + funding.source() + " of account " + account.id() + " does not exist");
    }
    if (!issuer.account.issuer()) {
      return new OpenResult.Rejected(RejectionReason.FUNDING_ACCOUNT_NOT_ISSUER,
          "account " + funding.source() + " funds the opening balance of " + account.id() + " but is not an issuer");
    }
    AppendResult appended = appendOnce(funding, state);
    if (appended instanceof AppendResult.Recorded recorded) {
      return new OpenResult.Opened(account, Optional.of(recorded.transfer()));
    } else if (appended instanceof AppendResult.Rejected rejected) {
      return new OpenResult.Rejected(rejected.reason(), rejected.detail());
    } else if (appended instanceof AppendResult.AlreadyRecorded already) {
      return new OpenResult.Rejected(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
          "funding transfer id " + funding.id() + " is already recorded, for " + already.existing().source() + " -> "
              + already.existing().destination());
    } else {
      return new OpenResult.Conflict(((AppendResult.Conflict) appended).detail());
    }
  }

  @Override
  public AppendResult append(TransferDraft draft) {
    return appendOnce(draft, null);
  }

  @Override
  public List<AppendResult> appendBatch(List<TransferDraft> drafts, BatchMode mode) {
    return mode == BatchMode.LINKED ? appendLinked(drafts) : appendIndependent(drafts);
  }

  /** Each draft as {@link #append} records it, in list order; after a lost race, the source's later drafts too. */
  private List<AppendResult> appendIndependent(List<TransferDraft> drafts) {
    List<AppendResult> results = new ArrayList<>(drafts.size());
    Set<AccountId> conflicted = null;
    for (TransferDraft draft : drafts) {
      if (conflicted != null && conflicted.contains(draft.source())) {
        results.add(new AppendResult.Conflict("an earlier item of source " + draft.source() + " lost a race"));
        continue;
      }
      AppendResult result = appendOnce(draft, null);
      if (result instanceof AppendResult.AlreadyRecorded already && !sameContent(already.existing(), draft)) {
        result = idReused(already.existing(), draft);
      } else if (result instanceof AppendResult.Conflict) {
        if (conflicted == null) {
          conflicted = new HashSet<>();
        }
        conflicted.add(draft.source());
      }
      results.add(result);
    }
    return results;
  }

  private static boolean sameContent(Transfer existing, TransferDraft draft) {
    return existing.sameContentAs(draft.source(), draft.destination(), draft.amount(), draft.currency(),
        draft.reference());
  }

  private static AppendResult.Rejected idReused(Transfer existing, TransferDraft draft) {
    return new AppendResult.Rejected(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT, "transfer id " + draft.id()
        + " was recorded as " + describe(existing.source(), existing.destination(), existing.amount(),
        existing.currency(), existing.reference()) + ", not as " + describe(draft.source(), draft.destination(),
        draft.amount(), draft.currency(), draft.reference()));
  }

  private static String describe(AccountId source, AccountId destination, long amount, String currency,
      @Nullable String reference) {
    return source + " -> " + destination + " " + amount + " " + currency
        + (reference == null ? "" : " reference " + Checks.quote(reference));
  }

  /**
   * A linked batch: all drafts or none. It claims its new ids (in id order) and locks its sources' heads (in
   * account order; a single append that meets a locked head reports a conflict instead of waiting, and batches
   * wait for each other only in that one order, so no cycle), decides every draft against the locked heads and
   * the committed credits plus those of its own earlier drafts, reserves the destinations' credit ceilings, and
   * then publishes every draft, or undoes the reservations and unlocks.
   */
  private List<AppendResult> appendLinked(List<TransferDraft> drafts) {
    int n = drafts.size();
    Map<UUID, Transfer> existing = new HashMap<>();
    Map<UUID, InFlight> claimed = new TreeMap<>();
    TreeMap<AccountId, AccountState> sources = new TreeMap<>();
    Map<AccountId, Head> lockedFrom = new HashMap<>();
    Map<AccountState, long[]> reserved = new HashMap<>();
    try {
      claimIds(drafts, existing, claimed);
      for (TransferDraft d : drafts) {
        AccountState src = openAccount(d.source());
        if (src != null) {
          sources.put(d.source(), src);
        }
      }
      for (Map.Entry<AccountId, AccountState> e : sources.entrySet()) {
        lockedFrom.put(e.getKey(), lockHead(e.getValue()));
      }
      Map<AccountId, Head> heads = new HashMap<>();
      for (Map.Entry<AccountId, Head> e : lockedFrom.entrySet()) {
        heads.put(e.getKey(), e.getValue().locked(true));
      }
      Map<AccountState, Long> addedCredits = new HashMap<>();
      Map<AccountState, Instant> addedLatest = new HashMap<>();
      Map<UUID, Transfer> recordedHere = new HashMap<>();
      AppendResult[] results = new AppendResult[n];
      List<Transfer> recorded = new ArrayList<>(n);
      List<AccountState[]> sides = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        TransferDraft d = drafts.get(i);
        Transfer prior = existing.containsKey(d.id()) ? existing.get(d.id()) : recordedHere.get(d.id());
        AppendResult result;
        if (prior != null) {
          result = sameContent(prior, d) ? new AppendResult.AlreadyRecorded(prior) : idReused(prior, d);
        } else {
          result = decideLinked(d, heads, addedCredits, addedLatest, reserved);
          if (result instanceof AppendResult.Recorded r) {
            recordedHere.put(d.id(), r.transfer());
            recorded.add(r.transfer());
            sides.add(new AccountState[] {openAccount(d.source()), openAccount(d.destination())});
          }
        }
        if (result instanceof AppendResult.Rejected) {
          for (int j = 0; j < n; j++) {
            results[j] = j == i ? result : new AppendResult.Aborted("item " + i + " of the linked batch was"
                + " rejected; nothing of it was recorded");
          }
          return List.of(results);
        }
        results[i] = result;
      }
      // Publish: credits before the heads, so that no balance is ever seen below what it will be.
      for (int k = 0; k < recorded.size(); k++) {
        Transfer t = recorded.get(k);
        AccountState src = sides.get(k)[0];
        AccountState dst = sides.get(k)[1];
        src.log.add(t, -t.amount());
        dst.log.add(t, t.amount());
        dst.latestCredit.accumulateAndGet(t.recordedAt(), (previous, time) -> latest(time, previous));
        dst.credits.addAndGet(t.amount());
      }
      reserved.clear();
      for (Map.Entry<AccountId, Head> e : heads.entrySet()) {
        sources.get(e.getKey()).head.set(e.getValue().locked(false));
      }
      lockedFrom.clear();
      for (Transfer t : recorded) {
        transfers.put(t.id(), t);
        claimed.remove(t.id()).done();
      }
      return List.of(results);
    } finally {
      for (Map.Entry<AccountState, long[]> e : reserved.entrySet()) {
        e.getKey().creditCeiling.addAndGet(-e.getValue()[0]);
      }
      for (Map.Entry<AccountId, Head> e : lockedFrom.entrySet()) {
        sources.get(e.getKey()).head.set(e.getValue());
      }
      for (Map.Entry<UUID, InFlight> e : claimed.entrySet()) {
        transfers.remove(e.getKey(), e.getValue());
        e.getValue().done();
      }
    }
  }

  /** Claims each new id of the batch in id order; ids already recorded go to {@code existing}. */
  private void claimIds(List<TransferDraft> drafts, Map<UUID, Transfer> existing, Map<UUID, InFlight> claimed) {
    TreeSet<UUID> ids = new TreeSet<>();
    for (TransferDraft d : drafts) {
      ids.add(d.id());
    }
    for (UUID id : ids) {
      InFlight mine = new InFlight();
      while (true) {
        Object prior = transfers.putIfAbsent(id, mine);
        if (prior == null) {
          claimed.put(id, mine);
          break;
        }
        if (prior instanceof Transfer t) {
          existing.put(id, t);
          break;
        }
        ((InFlight) prior).await(id);
      }
    }
  }

  /** Locks the account's head for a linked batch, waiting for another batch's lock; returns the unlocked head. */
  private static Head lockHead(AccountState state) {
    for (int spins = 0; ; spins++) {
      Head head = state.head.get();
      if (!head.locked && state.head.compareAndSet(head, head.locked(true))) {
        return head;
      }
      if (spins < 64) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /** One draft of a linked batch against the batch's locked heads and its own earlier credits. */
  private AppendResult decideLinked(TransferDraft d, Map<AccountId, Head> heads, Map<AccountState, Long> addedCredits,
      Map<AccountState, Instant> addedLatest, Map<AccountState, long[]> reserved) {
    AccountState src = openAccount(d.source());
    Head head = heads.get(d.source());
    if (src == null || head == null) { // (not open when the batch locked its sources)
      return new AppendResult.Rejected(RejectionReason.SOURCE_NOT_FOUND, "source account " + d.source()
          + " does not exist");
    }
    AccountState dst = openAccount(d.destination());
    if (dst == null) {
      return new AppendResult.Rejected(RejectionReason.DESTINATION_NOT_FOUND, "destination account "
          + d.destination() + " does not exist");
    }
    String currency = d.currency();
    if (!src.account.currency().equals(currency) || !dst.account.currency().equals(currency)) {
      return new AppendResult.Rejected(RejectionReason.CURRENCY_MISMATCH, "transfer in " + currency + " from "
          + src.account.id() + " (" + src.account.currency() + ") to " + dst.account.id() + " ("
          + dst.account.currency() + ")");
    }
    long amount = d.amount();
    long credits = Math.addExact(src.credits.get(), addedCredits.getOrDefault(src, 0L));
    long balance = credits - head.debits;
    if (!src.account.issuer() && balance < amount) {
      return new AppendResult.Rejected(RejectionReason.INSUFFICIENT_FUNDS, "account " + src.account.id()
          + " has balance " + balance + ", less than the amount " + amount);
    }
    if (head.debits > Long.MAX_VALUE - amount) {
      return new AppendResult.Rejected(RejectionReason.BALANCE_OVERFLOW, "cumulative debits of " + src.account.id()
          + " are " + head.debits + "; adding " + amount + " overflows");
    }
    Instant latestCredit = src.latestCredit.get();
    Instant batchCredit = addedLatest.get(src);
    if (batchCredit != null) {
      latestCredit = latest(batchCredit, latestCredit);
    }
    Instant afterCredits = latestCredit == null ? null : latestCredit.plus(1, ChronoUnit.MICROS);
    if (afterCredits != null && afterCredits.isAfter(Checks.MAX_INSTANT)) {
      return new AppendResult.Rejected(RejectionReason.INVALID_INSTANT, "account " + src.account.id()
          + " was credited at " + latestCredit + ", the latest instant a ledger records; no debit can follow it");
    }
    long ceiling;
    do {
      ceiling = dst.creditCeiling.get();
      if (ceiling > Long.MAX_VALUE - amount) {
        return new AppendResult.Rejected(RejectionReason.BALANCE_OVERFLOW, "cumulative credits of "
            + dst.account.id() + " are " + ceiling + "; adding " + amount + " overflows");
      }
    } while (!dst.creditCeiling.compareAndSet(ceiling, ceiling + amount));
    reserved.computeIfAbsent(dst, k -> new long[1])[0] += amount;
    Instant at = latest(latest(d.notBefore(), head.latest), afterCredits);
    Transfer transfer = new Transfer(d.id(), src.account.id(), head.nextIndex, dst.account.id(), amount, currency,
        at, d.reference());
    heads.put(d.source(), new Head(head.nextIndex + 1, head.debits + amount, at, transfer, head, true));
    addedCredits.merge(dst, amount, Long::sum);
    addedLatest.merge(dst, at, (a, b) -> latest(a, b));
    return new AppendResult.Recorded(transfer);
  }

  /** Claims the id, then makes one attempt; {@code destination} overrides the lookup for a funding transfer. */
  private AppendResult appendOnce(TransferDraft draft, @Nullable AccountState destination) {
    UUID id = draft.id();
    InFlight mine = new InFlight();
    while (true) {
      Object prior = transfers.putIfAbsent(id, mine);
      if (prior == null) {
        break;
      }
      if (prior instanceof Transfer existing) {
        return new AppendResult.AlreadyRecorded(existing);
      }
      ((InFlight) prior).await(id);
    }
    try {
      AppendResult result = attempt(draft, destination);
      if (result instanceof AppendResult.Recorded recorded) {
        transfers.put(id, recorded.transfer());
      } else {
        transfers.remove(id, mine);
      }
      return result;
    } catch (RuntimeException | Error e) {
      transfers.remove(id, mine);
      throw e;
    } finally {
      mine.done();
    }
  }

  private AppendResult attempt(TransferDraft draft, @Nullable AccountState fundedAccount) {
    AccountState src = openAccount(draft.source());
    if (src == null) {
      return new AppendResult.Rejected(RejectionReason.SOURCE_NOT_FOUND,
          "source account " + draft.source() + " does not exist");
    }
    AccountState dst = fundedAccount != null ? fundedAccount : openAccount(draft.destination());
    if (dst == null) {
      return new AppendResult.Rejected(RejectionReason.DESTINATION_NOT_FOUND,
          "destination account " + draft.destination() + " does not exist");
    }
    String currency = draft.currency();
    if (!src.account.currency().equals(currency) || !dst.account.currency().equals(currency)) {
      return new AppendResult.Rejected(RejectionReason.CURRENCY_MISMATCH,
          "transfer in " + currency + " from " + src.account.id() + " (" + src.account.currency() + ") to "
              + dst.account.id() + " (" + dst.account.currency() + ")");
    }
    long amount = draft.amount();
    // Read the head before the credits: credits only grow, so the balance computed is never more than real.
    Head head = src.head.get();
    if (head.locked) {
      return new AppendResult.Conflict("source " + src.account.id() + " is being debited by a linked batch");
    }
    long credits = src.credits.get();
    Instant latestCredit = src.latestCredit.get();
    long balance = credits - head.debits;
    if (!src.account.issuer() && balance < amount) {
      return new AppendResult.Rejected(RejectionReason.INSUFFICIENT_FUNDS,
          "account " + src.account.id() + " has balance " + balance + ", less than the amount " + amount);
    }
    if (head.debits > Long.MAX_VALUE - amount) {
      return new AppendResult.Rejected(RejectionReason.BALANCE_OVERFLOW,
          "cumulative debits of " + src.account.id() + " are " + head.debits + "; adding " + amount + " overflows");
    }
    // Dated after every credit counted above (one microsecond after the newest), so that in statement order no
    // debit sorts before a credit it spends.
    Instant afterCredits = latestCredit == null ? null : latestCredit.plus(1, ChronoUnit.MICROS);
    if (afterCredits != null && afterCredits.isAfter(Checks.MAX_INSTANT)) {
      return new AppendResult.Rejected(RejectionReason.INVALID_INSTANT, "account " + src.account.id()
          + " was credited at " + latestCredit + ", the latest instant a ledger records; no debit can follow it");
    }
    Instant at = latest(latest(draft.notBefore(), head.latest), afterCredits);
    long ceiling;
    do {
      ceiling = dst.creditCeiling.get();
      if (ceiling > Long.MAX_VALUE - amount) {
        return new AppendResult.Rejected(RejectionReason.BALANCE_OVERFLOW,
            "cumulative credits of " + dst.account.id() + " are " + ceiling + "; adding " + amount + " overflows");
      }
    } while (!dst.creditCeiling.compareAndSet(ceiling, ceiling + amount));

    Transfer transfer = new Transfer(draft.id(), src.account.id(), head.nextIndex, dst.account.id(), amount,
        currency, at, draft.reference());
    if (!src.head.compareAndSet(head, new Head(head.nextIndex + 1, head.debits + amount, at, transfer, head, false))) {
      dst.creditCeiling.addAndGet(-amount);
      return new AppendResult.Conflict("index " + head.nextIndex + " of source " + src.account.id()
          + " was taken by a concurrent debit");
    }
    src.log.add(transfer, -amount);
    dst.log.add(transfer, amount);
    // Publish the credit's time before its amount: whoever counts the amount then sees the time.
    dst.latestCredit.accumulateAndGet(at, (previous, time) -> latest(time, previous));
    dst.credits.addAndGet(amount);
    return new AppendResult.Recorded(transfer);
  }

  @Override
  public Optional<Account> findAccount(AccountId id) {
    AccountState state = openAccount(id);
    return state == null ? Optional.empty() : Optional.of(state.account);
  }

  @Override
  public Optional<Transfer> findTransfer(UUID id) {
    while (true) {
      Object value = transfers.get(id);
      if (value == null) {
        return Optional.empty();
      }
      if (value instanceof Transfer transfer) {
        return Optional.of(transfer);
      }
      ((InFlight) value).await(id);
    }
  }

  @Override
  public OptionalLong balance(AccountId id, @Nullable Instant asOf) {
    AccountState state = openAccount(id);
    if (state == null) {
      return OptionalLong.empty();
    }
    if (asOf == null) {
      long debits = state.head.get().debits;
      return OptionalLong.of(state.credits.get() - debits);
    }
    return OptionalLong.of(state.log.balanceAsOf(asOf));
  }

  @Override
  public StatementPage statement(StatementQuery query) {
    AccountState state = openAccount(query.account());
    return state == null ? new StatementPage(List.of(), null) : state.log.page(query);
  }

  @Override
  public void close() {}

  private @Nullable AccountState openAccount(AccountId id) {
    AccountState state = accounts.get(id);
    return state != null && state.isOpen() ? state : null;
  }

  private static Instant latest(Instant a, @Nullable Instant b) {
    return b != null && b.isAfter(a) ? b : a;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Not a snapshot: run it while no transfer is being recorded, or a debit whose index was claimed but not
   * yet published may show as a gap.
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
      verifier.account(state.account.id().value(), state.account.currency(), state.account.issuer());
    }
    for (AccountState state : open) {
      verifier.storedCredits(state.account.id().value(), state.credits.get());
    }
    for (AccountState state : open) {
      // The chain hashes are derived here, in index order, rather than on the transfer path: nothing can alter a
      // recorded transfer in memory, and hashing every transfer as it is recorded would dominate its cost.
      List<Head> debits = new ArrayList<>();
      for (Head h = state.head.get(); h.transfer != null; h = h.prev) {
        debits.add(h);
      }
      byte[] hash = TransferHashes.zero();
      for (int i = debits.size() - 1; i >= 0; i--) {
        Head h = debits.get(i);
        Transfer t = h.transfer;
        hash = TransferHashes.chain(hash, t);
        verifier.transfer(t.id(), t.source().value(), t.sourceIndex(), t.destination().value(), t.amount(),
            t.currency(), TransferHashes.epochMicros(t.recordedAt()), t.reference(), h.debits, hash);
      }
    }
    // The balances over time, from each account's log in statement order (recorded time, then id).
    for (AccountState state : balancesOverTime ? open : List.<AccountState>of()) {
      String account = state.account.id().value();
      state.log.forEachTransfer((t, credit) -> verifier.balanceChange(account,
          TransferHashes.epochMicros(t.recordedAt()), credit, t.amount(), t.id(), t.source().value(),
          t.sourceIndex()));
    }
    return verifier;
  }

  /**
   * The debit side of an account, replaced atomically by each debit: the next index, the cumulative debits, the
   * latest time, and the newest debit with a link to the previous head, so the heads form the source's chain.
   */
  private record Head(long nextIndex, long debits, @Nullable Instant latest, @Nullable Transfer transfer,
      @Nullable Head prev, boolean locked) {
    static final Head EMPTY = new Head(0, 0, null, null, null, false);

    /** This head with the lock of a linked batch set or cleared (the same chain). */
    Head locked(boolean lock) {
      return new Head(nextIndex, debits, latest, transfer, prev, lock);
    }
  }

  private static final class AccountState {
    final Account account;
    final AtomicReference<Head> head = new AtomicReference<>(Head.EMPTY);
    /** Cumulative credits recorded. */
    final AtomicLong credits = new AtomicLong();
    /** Cumulative credits recorded plus those being recorded: guards against overflow before a debit commits. */
    final AtomicLong creditCeiling = new AtomicLong();
    final AtomicReference<@Nullable Instant> latestCredit = new AtomicReference<>();
    /** Both directions in statement order, with running balances. */
    final AccountLog log = new AccountLog();
    /** Counted down when the opening attempt settles; until then the account is invisible. */
    private final CountDownLatch settled = new CountDownLatch(1);
    private volatile boolean open;

    AccountState(Account account) {
      this.account = account;
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
        throw new LedgerUnavailableException(LedgerUnavailableException.Kind.INTERRUPTED,
            "interrupted while waiting for a concurrent opening of account " + account.id(), e);
      }
      return open;
    }
  }

  /**
   * Marks a transfer id claimed by an attempt in progress; others wait for its outcome. One small object per
   * attempt: waiting is rare (a concurrent replay of the same id), so a monitor is enough.
   */
  private static final class InFlight {
    private boolean done;

    synchronized void done() {
      done = true;
      notifyAll();
    }

    synchronized void await(UUID id) {
      try {
        while (!done) {
          wait();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LedgerUnavailableException(LedgerUnavailableException.Kind.INTERRUPTED,
            "interrupted while waiting for a concurrent attempt with transfer id " + id, id, e);
      }
    }
  }
}

package dev.ledger.postgres.jepsen;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.memory.InMemoryLedgerStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checks a bank {@link History} against the database's final state. Properties:
 *
 * <ol>
 *   <li>every successful snapshot read sums exactly to the total (0: the issuer's negative balance balances the rest)
 *       and shows no non-issuer balance below zero;
 *   <li>each source's indices are 0, 1, 2, ... without gap; no transfer id is recorded twice;
 *   <li>every acknowledged transfer is present and identical to what the call returned; a {@code findTransfer} agrees
 *       with the database; a retry with changed content was rejected {@code ID_REUSED_WITH_DIFFERENT_CONTENT};
 *   <li>no transfer is recorded that was never requested, or whose only answers said nothing was recorded (a rejection,
 *       or an unavailability other than OUTCOME_UNKNOWN); its content is the requested one;
 *   <li>no unknown outcome is left unresolved;
 *   <li>the final balances read three ways (one snapshot, {@code ledger.balance}, sums over the rows) agree, sum to 0,
 *       and no non-issuer is negative;
 *   <li>replaying the recorded transfers (per source in index order, overall in recorded time order) into the reference
 *       model ({@link InMemoryLedgerStore} through a {@link Ledger} whose clock returns the recorded times) succeeds
 *       with the same indices and times (the model may date a debit a little later when a credit committed concurrently
 *       at the same microsecond, which the database rightly did not count, is applied first in the replay), and gives
 *       every account the same balance;
 *   <li>on the recorded times, every non-issuer's debits are in time order and covered by the credits recorded strictly
 *       before each of them (the dating rule the guard enforces).
 * </ol>
 */
public final class BankChecker {
    private BankChecker() {}

    /** The figures of a run and every violation found (none when the run is valid). */
    public record Report(
            String fault,
            long seed,
            double seconds,
            long faults,
            long operations,
            long transfers,
            long ok,
            long rejected,
            long unknown,
            long failed,
            long unknownIds,
            long resolvedRecorded,
            long resolvedNotRecorded,
            long foundByFind,
            long reads,
            long readsFailed,
            long changedContentRejected,
            long lost,
            long duplicated,
            long negative,
            long phantom,
            boolean conservationExact,
            Map<String, Long> rejectedBy,
            List<String> violations,
            long holds,
            long posts,
            long voids) {

        public boolean valid() {
            return violations.isEmpty();
        }

        /** One line of figures, as printed by every fault test and tabled in docs/reliability.md. */
        public String line() {
            return String.format(
                    java.util.Locale.ROOT,
                    "FAULT %s: seed=%d duration=%.0fs faults injected=%d operations=%d transfers=%d ok=%d rejected=%d"
                            + " unknown=%d (ids %d, all resolved: %d recorded in the end, %d not; findTransfer found %d already"
                            + " recorded) unavailable=%d reads=%d (failed %d)"
                            + " changed-content retries rejected=%d lost=%d duplicated=%d negative=%d phantom=%d conservation=%s"
                            + " two-phase recorded: holds=%d posts=%d voids=%d",
                    fault,
                    seed,
                    seconds,
                    faults,
                    operations,
                    transfers,
                    ok,
                    rejected,
                    unknown,
                    unknownIds,
                    resolvedRecorded,
                    resolvedNotRecorded,
                    foundByFind,
                    failed,
                    reads,
                    readsFailed,
                    changedContentRejected,
                    lost,
                    duplicated,
                    negative,
                    phantom,
                    conservationExact ? "exact" : "BROKEN",
                    holds,
                    posts,
                    voids);
        }

        @Override
        public String toString() {
            StringBuilder b =
                    new StringBuilder(line()).append("\n  rejected by reason: ").append(rejectedBy);
            if (!violations.isEmpty()) {
                b.append("\n  ")
                        .append(violations.size())
                        .append(" violation(s) (replay with -Dledger.test.seed=")
                        .append(seed)
                        .append("):");
                violations.stream().limit(30).forEach(v -> b.append("\n  - ").append(v));
            }
            return b.toString();
        }
    }

    /** Transfer operations (not finds, not reads) grouped by id, in completion order. */
    static Map<UUID, List<Op>> transfersById(List<Op> ops) {
        Map<UUID, List<Op>> byId = new LinkedHashMap<>();
        for (Op op : ops) {
            if (op.isTransfer()) {
                byId.computeIfAbsent(Objects.requireNonNull(op.id()), k -> new ArrayList<>())
                        .add(op);
            }
        }
        return byId;
    }

    /** The first request made with this id with its original content. */
    static Op original(List<Op> ops) {
        return ops.stream().filter(o -> !o.changedContent()).findFirst().orElseThrow();
    }

    /** Whether the id's outcome is still unknown: some UNKNOWN, no OK, and no final rule rejection. */
    static boolean unresolved(List<Op> ops) {
        boolean unknown = false;
        boolean ok = false;
        Op last = null;
        for (Op op : ops) {
            if (op.changedContent()) {
                continue;
            }
            unknown |= op.outcome() == Op.Outcome.UNKNOWN;
            ok |= op.outcome() == Op.Outcome.OK;
            last = op;
        }
        return unknown && !ok && (last == null || last.outcome() != Op.Outcome.REJECTED);
    }

    public static Report check(
            String fault,
            long seed,
            double seconds,
            long faults,
            History history,
            Bank.FinalState state,
            Set<UUID> setupIds) {
        List<String> v = new ArrayList<>();
        List<Op> ops = history.ops();
        long okCount = 0;
        long rejectedCount = 0;
        long unknownCount = 0;
        long failedCount = 0;
        long reads = 0;
        long readsFailed = 0;
        long transfers = 0;
        long negative = 0;
        boolean conserved = true;
        Map<String, Long> rejectedBy = new TreeMap<>();
        for (Op op : ops) {
            if (op.type() == Op.Type.READ) {
                reads++;
                if (op.outcome() != Op.Outcome.OK) {
                    readsFailed++;
                    continue;
                }
                Map<String, Long> balances = Objects.requireNonNull(op.balances());
                long sum = balances.values().stream().mapToLong(Long::longValue).sum();
                if (sum != 0) {
                    conserved = false;
                    v.add("snapshot read #" + op.seq() + " sums to " + sum + ", not 0: " + balances);
                }
                if (balances.size() != state.issuers().size()) {
                    v.add("snapshot read #" + op.seq() + " shows " + balances.size() + " accounts, not "
                            + state.issuers().size());
                }
                for (Map.Entry<String, Long> e : balances.entrySet()) {
                    if (e.getValue() < 0 && !state.issuers().getOrDefault(e.getKey(), false)) {
                        negative++;
                        v.add("snapshot read #" + op.seq() + ": " + e.getKey() + " is negative: " + e.getValue());
                    }
                }
            } else if (op.type() == Op.Type.TRANSFER) {
                transfers++;
                switch (op.outcome()) {
                    case OK -> okCount++;
                    case REJECTED -> {
                        rejectedCount++;
                        rejectedBy.merge(String.valueOf(op.reason()), 1L, Long::sum);
                    }
                    case UNKNOWN -> unknownCount++;
                    default -> failedCount++;
                }
            }
        }

        // Rows: duplicates and per-source contiguity.
        long duplicated = state.rows() - state.distinctIds();
        if (duplicated != 0) {
            v.add(duplicated + " transfer id(s) recorded more than once");
        }
        Map<UUID, Transfer> rows = new HashMap<>();
        Map<String, List<Long>> indices = new TreeMap<>();
        for (Transfer t : state.transfers()) {
            rows.put(t.id(), t);
            indices.computeIfAbsent(t.source().value(), k -> new ArrayList<>()).add(t.sourceIndex());
        }
        for (Map.Entry<String, List<Long>> e : indices.entrySet()) {
            List<Long> idx = new ArrayList<>(e.getValue());
            idx.sort(null);
            for (int i = 0; i < idx.size(); i++) {
                if (idx.get(i) != i) {
                    v.add("source " + e.getKey() + " indices are not contiguous: position " + i + " holds "
                            + idx.get(i));
                    break;
                }
            }
        }

        // Per id: acknowledged present and identical, definite failures absent, content as requested.
        Map<UUID, List<Op>> byId = transfersById(ops);
        long lost = 0;
        long phantom = 0;
        long changedRejected = 0;
        long unknownIds = 0;
        long resolvedRecorded = 0;
        long resolvedNotRecorded = 0;
        for (Map.Entry<UUID, List<Op>> e : byId.entrySet()) {
            UUID id = e.getKey();
            List<Op> idOps = e.getValue();
            Transfer row = rows.get(id);
            Op original = original(idOps);
            boolean anyOk = false;
            boolean anyUnknown = false;
            Op last = null;
            for (Op op : idOps) {
                if (op.changedContent()) {
                    if (op.outcome() == Op.Outcome.REJECTED
                            && op.reason() == RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT) {
                        changedRejected++;
                    } else {
                        v.add("retry of " + id + " with changed amount " + op.amount() + " ended " + op.outcome() + " "
                                + op.reason() + op.failure() + ", not ID_REUSED_WITH_DIFFERENT_CONTENT");
                    }
                    continue;
                }
                last = op;
                anyUnknown |= op.outcome() == Op.Outcome.UNKNOWN;
                if (op.outcome() == Op.Outcome.OK) {
                    anyOk = true;
                    if (row == null) {
                        lost++;
                        v.add("acknowledged transfer " + id + " (op #" + op.seq() + ") is not recorded");
                    } else if (!row.equals(op.transfer())) {
                        lost++;
                        v.add("acknowledged transfer " + op.transfer() + " is recorded differently: " + row);
                    }
                }
            }
            if (anyUnknown) {
                unknownIds++;
                if (unresolved(idOps)) {
                    v.add("transfer " + id + " has an unresolved unknown outcome");
                } else if (row != null) {
                    resolvedRecorded++;
                } else {
                    resolvedNotRecorded++;
                }
            }
            boolean definitelyAbsent =
                    last != null && ((last.outcome() == Op.Outcome.REJECTED) || (!anyOk && !anyUnknown));
            if (row != null && definitelyAbsent) {
                phantom++;
                v.add("transfer " + id + " is recorded although its last call ended " + last.outcome() + " "
                        + (last.reason() != null ? last.reason() : last.failure()) + " (nothing recorded)");
            }
            if (row != null
                    && !(original.request() != null
                            ? row.sameContentAs(original.request())
                            : row.sameContentAs(
                                    original.source(),
                                    original.destination(),
                                    original.amount(),
                                    Bank.CURRENCY,
                                    original.reference()))) {
                v.add("transfer " + id + " is recorded with content " + row + ", not as requested: " + original);
            }
        }
        long foundByFind = 0;
        for (Op op : ops) {
            if (op.type() != Op.Type.FIND) {
                continue;
            }
            if (op.outcome() == Op.Outcome.OK) {
                foundByFind++;
            }
            Transfer row = rows.get(op.id());
            if (op.outcome() == Op.Outcome.OK && !Objects.equals(row, op.transfer())) {
                v.add("findTransfer(" + op.id() + ") returned " + op.transfer() + " but the database holds " + row);
            }
            if (op.outcome() == Op.Outcome.ABSENT) {
                for (Op other : byId.getOrDefault(op.id(), List.of())) {
                    if (other.outcome() == Op.Outcome.OK
                            && other.endNanos() < op.startNanos()
                            && !other.changedContent()) {
                        lost++;
                        v.add("findTransfer(" + op.id() + ") found nothing after the transfer was acknowledged");
                    }
                }
            }
        }
        for (Transfer t : state.transfers()) {
            if (!byId.containsKey(t.id()) && !setupIds.contains(t.id())) {
                phantom++;
                v.add("transfer " + t + " is recorded but was never requested");
            }
        }

        // Final balances, three ways.
        Map<String, Long> recomputed = new TreeMap<>();
        for (String id : state.issuers().keySet()) {
            recomputed.put(id, 0L);
        }
        Map<UUID, Transfer> pendings = new HashMap<>();
        Map<UUID, Transfer> resolutions = new HashMap<>();
        for (Transfer t : state.transfers()) {
            recomputed.merge(t.source().value(), -t.postedAmount(), Long::sum);
            recomputed.merge(t.destination().value(), t.postedAmount(), Long::sum);
            if (t.isPending()) {
                pendings.put(t.id(), t);
            }
        }
        // Two-phase: each pending transfer resolved at most once, by a post of at most its amount or a void of it.
        for (Transfer t : state.transfers()) {
            if (t.pendingId() == null) {
                continue;
            }
            Transfer pending = pendings.get(t.pendingId());
            Transfer earlier = resolutions.put(t.pendingId(), t);
            if (earlier != null) {
                v.add("pending transfer " + t.pendingId() + " resolved twice: " + earlier + " and " + t);
            }
            if (pending == null
                    || (t.kind() == dev.ledger.core.TransferKind.POST
                            ? t.amount() > pending.amount()
                            : t.amount() != pending.amount())) {
                v.add(t + " does not resolve a recorded pending transfer within its amount: " + pending);
            }
        }
        long total = 0;
        for (Map.Entry<String, Long> e : recomputed.entrySet()) {
            String id = e.getKey();
            long balance = e.getValue();
            total += balance;
            if (!Objects.equals(state.snapshot().get(id), balance)
                    || !Objects.equals(state.ledgerBalances().get(id), balance)) {
                conserved = false;
                v.add("final balance of " + id + ": rows say " + balance + ", snapshot "
                        + state.snapshot().get(id) + ", ledger.balance "
                        + state.ledgerBalances().get(id));
            }
            if (balance < 0 && !state.issuers().get(id)) {
                negative++;
                v.add("final balance of " + id + " is negative: " + balance);
            }
        }
        if (total != 0) {
            conserved = false;
            v.add("final balances sum to " + total + ", not 0");
        }

        // Replay into the reference model.
        List<String> replay = replay(state);
        if (!replay.isEmpty()) {
            conserved = false;
            v.addAll(replay);
        }
        v.addAll(debitsDatedAfterTheCreditsTheySpend(state));

        return new Report(
                fault,
                seed,
                seconds,
                faults,
                ops.size(),
                transfers,
                okCount,
                rejectedCount,
                unknownCount,
                failedCount,
                unknownIds,
                resolvedRecorded,
                resolvedNotRecorded,
                foundByFind,
                reads,
                readsFailed,
                changedRejected,
                lost,
                duplicated,
                negative,
                phantom,
                conserved,
                rejectedBy,
                List.copyOf(v),
                state.transfers().stream().filter(Transfer::isPending).count(),
                state.transfers().stream()
                        .filter(t -> t.kind() == dev.ledger.core.TransferKind.POST)
                        .count(),
                state.transfers().stream()
                        .filter(t -> t.kind() == dev.ledger.core.TransferKind.VOID)
                        .count());
    }

    /**
     * Replays the recorded transfers into a {@link Ledger} on an {@link InMemoryLedgerStore} whose clock returns each
     * transfer's recorded time: per source in index order, overall in time order (transfers with the same time are
     * applied in an order that the model accepts, trying a deferred one again after the others).
     */
    /**
     * Whether {@code replayed} differs from the recorded {@code t} only by being dated later (by at most a
     * millisecond). A debit is dated after the credits its snapshot saw; one committed concurrently at the same
     * microsecond was not seen (nor counted by the guard, which counts only earlier credits), while the model,
     * replaying an instant one transfer at a time, sees it, and dates the debit a microsecond later — and then the
     * debits and credits that follow from it. The dating rule itself is checked on the database's own times by
     * {@link #debitsDatedAfterTheCreditsTheySpend}.
     */
    private static boolean datedLaterByTheModel(Transfer replayed, Transfer t) {
        return !replayed.recordedAt().isBefore(t.recordedAt())
                && !replayed.recordedAt().isAfter(t.recordedAt().plusMillis(1))
                && new Transfer(
                                t.id(),
                                t.source(),
                                t.sourceIndex(),
                                t.destination(),
                                t.amount(),
                                t.currency(),
                                replayed.recordedAt(),
                                t.reference(),
                                t.metadata(),
                                t.kind(),
                                t.pendingId(),
                                t.expiresAt())
                        .equals(replayed);
    }

    /**
     * The rule the guard enforces, checked on the recorded times: for each non-issuer, the credits recorded strictly
     * before each of its debits cover its cumulative debits through that debit, and its debits are in time order.
     */
    static List<String> debitsDatedAfterTheCreditsTheySpend(Bank.FinalState state) {
        List<String> v = new ArrayList<>();
        Map<String, List<Transfer>> credits = new HashMap<>();
        Map<String, List<Transfer>> debits = new HashMap<>();
        for (Transfer t : state.transfers()) {
            credits.computeIfAbsent(t.destination().value(), k -> new ArrayList<>())
                    .add(t);
            debits.computeIfAbsent(t.source().value(), k -> new ArrayList<>()).add(t);
        }
        for (Map.Entry<String, List<Transfer>> e : debits.entrySet()) {
            if (Boolean.TRUE.equals(state.issuers().get(e.getKey()))) {
                continue;
            }
            List<Transfer> in = new ArrayList<>(credits.getOrDefault(e.getKey(), List.of()));
            in.sort((x, y) -> x.recordedAt().compareTo(y.recordedAt()));
            List<Transfer> out = new ArrayList<>(e.getValue());
            out.sort((x, y) -> Long.compare(x.sourceIndex(), y.sourceIndex()));
            long received = 0;
            long spent = 0;
            int next = 0;
            Instant previous = Instant.MIN;
            for (Transfer d : out) {
                if (d.recordedAt().isBefore(previous)) {
                    v.add("debit " + d + " is dated before the source's previous debit (" + previous + ")");
                }
                previous = d.recordedAt();
                while (next < in.size() && in.get(next).recordedAt().isBefore(d.recordedAt())) {
                    received += in.get(next++).postedAmount();
                }
                spent += d.postedAmount();
                if (spent > received) {
                    v.add("debit " + d + " brings " + e.getKey() + "'s debits to " + spent
                            + " while the credits recorded" + " strictly before it are " + received);
                }
            }
        }
        return v;
    }

    static List<String> replay(Bank.FinalState state) {
        List<String> v = new ArrayList<>();
        AtomicReference<Instant> now = new AtomicReference<>(Instant.EPOCH);
        Ledger model = Ledger.builder(new InMemoryLedgerStore()).clock(now::get).build();
        Instant firstOpened = state.accounts().values().stream()
                .map(a -> a.openedAt())
                .min(Instant::compareTo)
                .orElse(Instant.EPOCH);
        now.set(firstOpened);
        for (Map.Entry<String, Boolean> e : state.issuers().entrySet()) {
            AccountId id = AccountId.of(e.getKey());
            model.open(e.getValue() ? NewAccount.issuer(id, Bank.CURRENCY) : NewAccount.of(id, Bank.CURRENCY));
        }
        List<Transfer> all = state.transfers(); // ordered by recorded_at, source, source_index
        int i = 0;
        while (i < all.size()) {
            int j = i;
            while (j < all.size() && all.get(j).recordedAt().equals(all.get(i).recordedAt())) {
                j++;
            }
            List<Transfer> pending = new ArrayList<>(all.subList(i, j));
            now.set(all.get(i).recordedAt());
            while (!pending.isEmpty()) {
                List<Transfer> deferred = new ArrayList<>();
                java.util.Set<AccountId> blocked = new java.util.HashSet<>();
                for (Transfer t : pending) {
                    if (blocked.contains(t.source())) {
                        deferred.add(t);
                        continue;
                    }
                    try {
                        Transfer replayed = model.transfer(new TransferRequest(
                                t.id(),
                                t.source(),
                                t.destination(),
                                t.amount(),
                                t.currency(),
                                t.reference(),
                                t.metadata(),
                                t.kind(),
                                t.pendingId(),
                                t.expiresAt(),
                                null));
                        if (!replayed.equals(t) && !datedLaterByTheModel(replayed, t)) {
                            v.add("replay: the model records " + replayed + " where the database holds " + t);
                        }
                    } catch (LedgerRejectedException e) {
                        if (e.reason() != RejectionReason.INSUFFICIENT_FUNDS) {
                            v.add("replay: the model rejects " + t + ": " + e.getMessage());
                            continue;
                        }
                        blocked.add(t.source());
                        deferred.add(t);
                    }
                }
                if (deferred.size() == pending.size()) {
                    v.add("replay: the model cannot apply " + deferred.size() + " transfer(s) at " + now.get()
                            + " (insufficient funds), first " + deferred.get(0));
                    break;
                }
                pending = deferred;
            }
            i = j;
        }
        for (String id : state.issuers().keySet()) {
            long expected = model.balance(AccountId.of(id));
            Long actual = state.ledgerBalances().get(id);
            if (!Objects.equals(actual, expected)) {
                v.add("replay: the model's balance of " + id + " is " + expected + ", the database's " + actual);
            }
        }
        model.close();
        return v;
    }
}

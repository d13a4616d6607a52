package dev.ledger.tck;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.PendingStatus;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferKind;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A reference ledger simple enough to be obviously right: a list of accounts, a list of transfers, and loops. Nothing
 * is cached; every balance, index and time is recomputed from the transfers.
 *
 * <p>Each write predicts the outcome of the same call on a real {@code Ledger} and, when it succeeds, applies it. A
 * rejection is predicted as the set of rules the call breaks: where several rules are broken at once the spec does not
 * say which one a store reports, so any of them is accepted. Checks the {@code Ledger} makes on the request itself,
 * before the store sees it, are predicted exactly, in the ledger's order.
 *
 * <p>Not thread-safe.
 */
public final class ReferenceLedger {
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** An empty ledger: no account, no transfer. */
    public ReferenceLedger() {}

    /** The predicted outcome of a call: a value, or a rejection with any one of {@code reasons}. */
    public record Prediction<T>(@Nullable T value, Set<RejectionReason> reasons) {
        static <T> Prediction<T> success(T value) {
            return new Prediction<>(value, Set.of());
        }

        static <T> Prediction<T> rejected(Set<RejectionReason> reasons) {
            return new Prediction<>(null, Set.copyOf(reasons));
        }

        static <T> Prediction<T> rejected(RejectionReason reason) {
            return rejected(Set.of(reason));
        }

        public boolean isSuccess() {
            return reasons.isEmpty();
        }
    }

    private final List<Account> accounts = new ArrayList<>();
    private final List<Transfer> transfers = new ArrayList<>();

    public List<Account> accounts() {
        return Collections.unmodifiableList(accounts);
    }

    public List<Transfer> transfers() {
        return Collections.unmodifiableList(transfers);
    }

    public Optional<Account> account(AccountId id) {
        for (Account account : accounts) {
            if (account.id().equals(id)) {
                return Optional.of(account);
            }
        }
        return Optional.empty();
    }

    public Optional<Transfer> transfer(UUID id) {
        for (Transfer transfer : transfers) {
            if (transfer.id().equals(id)) {
                return Optional.of(transfer);
            }
        }
        return Optional.empty();
    }

    /** Credits minus debits over all transfers. */
    public long balance(AccountId id) {
        return balanceAsOf(id, Instant.MAX);
    }

    /** Credits minus debits over the transfers recorded at or before {@code instant}. */
    public long balanceAsOf(AccountId id, Instant instant) {
        long balance = 0;
        for (Transfer t : transfers) {
            if (!t.recordedAt().isAfter(instant)) {
                if (t.destination().equals(id)) {
                    balance += t.postedAmount();
                }
                if (t.source().equals(id)) {
                    balance -= t.postedAmount();
                }
            }
        }
        return balance;
    }

    /**
     * The amounts of the pending transfers from {@code id} (or to it, when not {@code asSource}) recorded at or before
     * {@code through}, not resolved by a post or void recorded at or before it, and not expired at {@code expiredBy}.
     */
    public long held(AccountId id, Instant through, Instant expiredBy, boolean asSource) {
        long sum = 0;
        for (Transfer p : transfers) {
            if (!p.isPending()
                    || !(asSource ? p.source() : p.destination()).equals(id)
                    || p.recordedAt().isAfter(through)
                    || (p.expiresAt() != null && !expiredBy.isBefore(p.expiresAt()))) {
                continue;
            }
            boolean resolved = false;
            for (Transfer r : transfers) {
                if (p.id().equals(r.pendingId()) && !r.recordedAt().isAfter(through)) {
                    resolved = true;
                }
            }
            if (!resolved) {
                sum += p.amount();
            }
        }
        return sum;
    }

    /** {@code Ledger.balances(id)} with the clock at {@code now}, or {@code balancesAsOf(id, asOf)}. */
    public Prediction<Balances> predictBalances(AccountId id, @Nullable Instant asOf, Instant now) {
        if (account(id).isEmpty()) {
            return Prediction.rejected(RejectionReason.ACCOUNT_NOT_FOUND);
        }
        Instant through = asOf == null ? Instant.MAX : asOf;
        Instant expiredBy = asOf == null ? now : asOf;
        return Prediction.success(new Balances(
                balanceAsOf(id, through), held(id, through, expiredBy, true), held(id, through, expiredBy, false)));
    }

    private BigInteger debits(AccountId id) {
        BigInteger sum = BigInteger.ZERO;
        for (Transfer t : transfers) {
            if (t.source().equals(id)) {
                sum = sum.add(BigInteger.valueOf(t.postedAmount()));
            }
        }
        return sum;
    }

    private BigInteger credits(AccountId id) {
        BigInteger sum = BigInteger.ZERO;
        for (Transfer t : transfers) {
            if (t.destination().equals(id)) {
                sum = sum.add(BigInteger.valueOf(t.postedAmount()));
            }
        }
        return sum;
    }

    private long nextIndex(AccountId source) {
        long count = 0;
        for (Transfer t : transfers) {
            if (t.source().equals(source)) {
                count++;
            }
        }
        return count;
    }

    /**
     * The clock reading, or later: no earlier than the source's latest debit, and strictly after (one microsecond
     * after) its latest credit, so that no debit sorts before a credit it spends.
     */
    private Instant recordedAt(AccountId source, Instant now) {
        Instant at = now;
        for (Transfer t : transfers) {
            Instant floor = t.source().equals(source)
                    ? t.recordedAt()
                    : t.destination().equals(source) ? t.recordedAt().plus(1, ChronoUnit.MICROS) : null;
            if (floor != null && floor.isAfter(at)) {
                at = floor;
            }
        }
        return at;
    }

    /**
     * The time of a transfer from {@code source} to {@code destination}: as above, and, for a destination with an upper
     * limit, no earlier than any transfer of the destination (its credits are ordered with its debits).
     */
    private Instant recordedAt(AccountId source, AccountId destination, Instant now) {
        Instant at = recordedAt(source, now);
        if (account(destination).map(Account::hasUpperLimit).orElse(false)) {
            for (Transfer t : transfers) {
                if ((t.source().equals(destination) || t.destination().equals(destination))
                        && t.recordedAt().isAfter(at)) {
                    at = t.recordedAt();
                }
            }
        }
        return at;
    }

    private static boolean overflows(BigInteger cumulative, long amount) {
        return cumulative.add(BigInteger.valueOf(amount)).compareTo(MAX) > 0;
    }

    /**
     * {@code Ledger.open(new NewAccount(id, currency, issuer, openingBalance, fundedBy, fundingId))} at {@code now}.
     */
    @SuppressWarnings("NullAway") // models any input, null included, as the ledger sees it
    public Prediction<Account> open(
            AccountId id,
            String currency,
            boolean issuer,
            long openingBalance,
            @Nullable AccountId fundedBy,
            @Nullable UUID fundingId,
            long lowerLimit,
            long upperLimit,
            Instant now) {
        // The request's own checks, in NewAccount's order.
        if (openingBalance < 0) {
            return Prediction.rejected(RejectionReason.NEGATIVE_OPENING_BALANCE);
        }
        if (openingBalance > 0 && fundedBy == null) {
            return Prediction.rejected(RejectionReason.MISSING_VALUE);
        }
        if (openingBalance == 0 && (fundedBy != null || fundingId != null)) {
            return Prediction.rejected(RejectionReason.INVALID_REQUEST);
        }
        if (id.equals(fundedBy)) {
            return Prediction.rejected(RejectionReason.SAME_ACCOUNT);
        }
        if (issuer ? lowerLimit != Account.NO_LOWER_LIMIT : lowerLimit > 0 || lowerLimit == Account.NO_LOWER_LIMIT) {
            return Prediction.rejected(RejectionReason.INVALID_LIMIT);
        }
        if (upperLimit != Account.NO_UPPER_LIMIT && (issuer || upperLimit < 0 || upperLimit < openingBalance)) {
            return Prediction.rejected(RejectionReason.INVALID_LIMIT);
        }
        // The store's rules.
        Set<RejectionReason> broken = EnumSet.noneOf(RejectionReason.class);
        if (account(id).isPresent()) {
            broken.add(RejectionReason.ACCOUNT_EXISTS);
        }
        if (openingBalance > 0) {
            Objects.requireNonNull(fundingId, "the reference ledger needs the funding transfer id");
            Optional<Account> funder = account(fundedBy);
            if (funder.isEmpty()) {
                broken.add(RejectionReason.SOURCE_NOT_FOUND);
            } else {
                if (!funder.get().issuer()) {
                    broken.add(RejectionReason.FUNDING_ACCOUNT_NOT_ISSUER);
                }
                if (!funder.get().currency().equals(currency)) {
                    broken.add(RejectionReason.CURRENCY_MISMATCH);
                }
                if (overflows(debits(fundedBy), openingBalance)) {
                    broken.add(RejectionReason.BALANCE_OVERFLOW);
                }
            }
            if (transfer(fundingId).isPresent()) {
                broken.add(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT);
            }
        }
        if (!broken.isEmpty()) {
            return Prediction.rejected(broken);
        }
        Account account = new Account(id, currency, issuer, now, lowerLimit, upperLimit);
        if (openingBalance > 0) {
            Transfer funding = new Transfer(
                    fundingId,
                    fundedBy,
                    nextIndex(fundedBy),
                    id,
                    openingBalance,
                    currency,
                    recordedAt(fundedBy, now),
                    LedgerFixture.FUNDING_REFERENCE);
            transfers.add(funding);
        }
        accounts.add(account);
        return Prediction.success(account);
    }

    /**
     * {@code Ledger.transfer(new TransferRequest(id, source, destination, amount, currency, reference))} at
     * {@code now}.
     */
    public Prediction<Transfer> transfer(
            UUID id,
            AccountId source,
            AccountId destination,
            long amount,
            String currency,
            @Nullable String reference,
            Map<String, String> metadata,
            Instant now) {
        return transfer(
                id,
                source,
                destination,
                amount,
                currency,
                reference,
                metadata,
                TransferKind.IMMEDIATE,
                null,
                null,
                null,
                now);
    }

    /** As above, for a request of any kind (its own shape already checked: the run builds only valid ones). */
    @SuppressWarnings("NullAway") // models any input, null included, as the ledger sees it
    public Prediction<Transfer> transfer(
            UUID id,
            AccountId source,
            AccountId destination,
            long amount,
            String currency,
            @Nullable String reference,
            Map<String, String> metadata,
            TransferKind kind,
            @Nullable UUID pendingId,
            @Nullable Instant expiresAt,
            @Nullable Duration timeout,
            Instant now) {
        // The request's own checks, in TransferRequest's order.
        if (amount <= 0) {
            return Prediction.rejected(RejectionReason.NON_POSITIVE_AMOUNT);
        }
        if (source.equals(destination)) {
            return Prediction.rejected(RejectionReason.SAME_ACCOUNT);
        }
        // The id is an idempotency key, checked before anything else.
        Optional<Transfer> existing = transfer(id);
        if (existing.isPresent()) {
            Transfer t = existing.get();
            boolean same = t.source().equals(source)
                    && t.destination().equals(destination)
                    && t.amount() == amount
                    && t.currency().equals(currency)
                    && Objects.equals(t.reference(), reference)
                    && t.metadata().equals(metadata)
                    && t.samePhaseAs(kind, pendingId, expiresAt, timeout);
            return same ? Prediction.success(t) : Prediction.rejected(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT);
        }
        Set<RejectionReason> broken = EnumSet.noneOf(RejectionReason.class);
        Optional<Account> src = account(source);
        Optional<Account> dst = account(destination);
        if (src.isEmpty()) {
            broken.add(RejectionReason.SOURCE_NOT_FOUND);
        }
        if (dst.isEmpty()) {
            broken.add(RejectionReason.DESTINATION_NOT_FOUND);
        }
        if (src.isPresent() && !src.get().currency().equals(currency)) {
            broken.add(RejectionReason.CURRENCY_MISMATCH);
        }
        if (dst.isPresent() && !dst.get().currency().equals(currency)) {
            broken.add(RejectionReason.CURRENCY_MISMATCH);
        }
        Instant at = recordedAt(source, destination, now);
        long posted = kind == TransferKind.IMMEDIATE || kind == TransferKind.POST ? amount : 0;
        Instant expiry = null;
        if (kind == TransferKind.POST || kind == TransferKind.VOID) {
            Transfer pending = transfer(pendingId)
                    .filter(p -> p.isPending() && p.source().equals(source))
                    .orElse(null);
            if (pending == null) {
                broken.add(RejectionReason.PENDING_NOT_FOUND);
            } else {
                Transfer resolution = null;
                for (Transfer r : transfers) {
                    if (pendingId.equals(r.pendingId())) {
                        resolution = r;
                    }
                }
                if (!pending.destination().equals(destination)
                        || !pending.currency().equals(currency)
                        || (kind == TransferKind.VOID && amount != pending.amount())) {
                    broken.add(RejectionReason.PENDING_MISMATCH);
                } else if (resolution != null) {
                    broken.add(
                            resolution.kind() == TransferKind.POST
                                    ? RejectionReason.PENDING_ALREADY_POSTED
                                    : RejectionReason.PENDING_ALREADY_VOIDED);
                } else if (pending.expiresAt() != null && !at.isBefore(pending.expiresAt())) {
                    broken.add(RejectionReason.PENDING_EXPIRED);
                } else if (amount > pending.amount()) {
                    broken.add(RejectionReason.POST_EXCEEDS_PENDING);
                }
            }
        } else {
            long held = src.isPresent() ? held(source, Instant.MAX, at, true) : 0;
            if (src.isPresent()
                    && !src.get().issuer()
                    && balance(source) - held < amount + src.get().lowerLimit()) {
                broken.add(RejectionReason.INSUFFICIENT_FUNDS);
            }
            if (dst.isPresent()
                    && dst.get().hasUpperLimit()
                    && balance(destination) + held(destination, Instant.MAX, at, false)
                            > dst.get().upperLimit() - amount) {
                broken.add(RejectionReason.UPPER_LIMIT_EXCEEDED);
            }
            if (src.isPresent() && overflows(debits(source).add(BigInteger.valueOf(held)), amount)) {
                broken.add(RejectionReason.BALANCE_OVERFLOW);
            }
            if (kind == TransferKind.PENDING) {
                expiry = expiresAt != null ? expiresAt : timeout == null ? null : at.plus(timeout);
                if (expiry != null
                        && (!expiry.isAfter(at) || expiry.isAfter(Instant.parse("9999-12-31T23:59:59.999999Z")))) {
                    broken.add(RejectionReason.INVALID_EXPIRY);
                }
            }
        }
        if (src.isPresent() && overflows(debits(source), posted)) {
            broken.add(RejectionReason.BALANCE_OVERFLOW);
        }
        if (dst.isPresent() && overflows(credits(destination), posted)) {
            broken.add(RejectionReason.BALANCE_OVERFLOW);
        }
        if (!broken.isEmpty()) {
            return Prediction.rejected(broken);
        }
        Transfer t = new Transfer(
                id,
                source,
                nextIndex(source),
                destination,
                amount,
                currency,
                at,
                reference,
                metadata,
                kind,
                pendingId,
                expiry);
        transfers.add(t);
        return Prediction.success(t);
    }

    /** {@code Ledger.balance(id)}. */
    public Prediction<Long> predictBalance(AccountId id) {
        return account(id).isEmpty()
                ? Prediction.rejected(RejectionReason.ACCOUNT_NOT_FOUND)
                : Prediction.success(balance(id));
    }

    /** {@code Ledger.balanceAsOf(id, instant)}. */
    public Prediction<Long> predictBalanceAsOf(AccountId id, Instant instant) {
        if (instant.isBefore(Instant.parse("0001-01-01T00:00:00Z"))
                || instant.isAfter(Instant.parse("9999-12-31T23:59:59.999999Z"))) {
            return Prediction.rejected(RejectionReason.INVALID_INSTANT);
        }
        return account(id).isEmpty()
                ? Prediction.rejected(RejectionReason.ACCOUNT_NOT_FOUND)
                : Prediction.success(balanceAsOf(id, instant));
    }

    /** {@code Ledger.statement(query)}. */
    public Prediction<StatementPage> predictStatement(StatementQuery query, Instant now) {
        if (account(query.account()).isEmpty()) {
            return Prediction.rejected(RejectionReason.ACCOUNT_NOT_FOUND);
        }
        return Prediction.success(statement(query, now));
    }

    /** What became of a pending transfer by {@code now}. */
    private PendingStatus status(Transfer pending, Instant now) {
        for (Transfer r : transfers) {
            if (pending.id().equals(r.pendingId())) {
                return r.kind() == TransferKind.POST ? PendingStatus.POSTED : PendingStatus.VOIDED;
            }
        }
        return pending.expiresAt() != null && !now.isBefore(pending.expiresAt())
                ? PendingStatus.EXPIRED
                : PendingStatus.PENDING;
    }

    /** The page: the account's lines, sorted, filtered by time and cursor, cut at the limit. */
    public StatementPage statement(StatementQuery query, Instant now) {
        AccountId id = query.account();
        boolean forward = query.direction() == StatementQuery.Direction.FORWARD;
        List<Transfer> mine = new ArrayList<>();
        for (Transfer t : transfers) {
            if (t.source().equals(id) || t.destination().equals(id)) {
                mine.add(t);
            }
        }
        mine.sort(ReferenceLedger::compare);
        List<StatementLine> lines = new ArrayList<>();
        long running = 0;
        for (Transfer t : mine) {
            long change = t.source().equals(id) ? -t.postedAmount() : t.postedAmount();
            running += change;
            lines.add(new StatementLine(t, change, running, t.isPending() ? status(t, now) : null));
        }
        if (!forward) {
            Collections.reverse(lines);
        }
        List<StatementLine> matching = new ArrayList<>();
        for (StatementLine line : lines) {
            Transfer t = line.transfer();
            if (query.from() != null && t.recordedAt().isBefore(query.from())) {
                continue;
            }
            if (query.to() != null && !t.recordedAt().isBefore(query.to())) {
                continue;
            }
            if (query.after() != null) {
                int c = compare(
                        t.recordedAt(),
                        t.id(),
                        query.after().recordedAt(),
                        query.after().transferId());
                if (forward ? c <= 0 : c >= 0) {
                    continue;
                }
            }
            matching.add(line);
        }
        if (matching.size() <= query.limit()) {
            return new StatementPage(matching, null);
        }
        List<StatementLine> page = matching.subList(0, query.limit());
        return new StatementPage(page, page.get(page.size() - 1).cursor());
    }

    /** The order of statement lines: recorded time, then id as an unsigned 128-bit number. */
    static int compare(Transfer a, Transfer b) {
        return compare(a.recordedAt(), a.id(), b.recordedAt(), b.id());
    }

    private static int compare(Instant timeA, UUID idA, Instant timeB, UUID idB) {
        int c = timeA.compareTo(timeB);
        if (c == 0) {
            c = Long.compareUnsigned(idA.getMostSignificantBits(), idB.getMostSignificantBits());
        }
        if (c == 0) {
            c = Long.compareUnsigned(idA.getLeastSignificantBits(), idB.getLeastSignificantBits());
        }
        return c;
    }
}

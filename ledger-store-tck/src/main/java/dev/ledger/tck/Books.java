package dev.ledger.tck;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Transfer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a contract test expects of the accounts it opened: their balances, the next index of each source and the latest
 * recorded time of each account. The {@link LedgerFixture} helpers keep it up to date as they open accounts and record
 * transfers, and check the store against it after every write.
 *
 * <p>Every account a test opens must be tracked here: the invariants checked after each test cover exactly the tracked
 * accounts. A test that writes past the helpers (for example from several threads) tracks the accounts it opened with
 * {@link #track} and, if it uses the helpers afterwards, sets the balances it expects with {@link #expectBalance}.
 * Thread-safe.
 */
public final class Books {
    private final Map<AccountId, Account> accounts = new LinkedHashMap<>();
    private final Map<AccountId, Long> balances = new LinkedHashMap<>();
    private final Map<AccountId, Long> nextIndex = new LinkedHashMap<>();
    private final Map<AccountId, Instant> latest = new LinkedHashMap<>();
    private String context = "";

    /** Empty books: no account tracked yet. */
    public Books() {}

    /** A note prefixed to the messages of the invariants checked after the test, such as a random seed. */
    public synchronized void context(String note) {
        this.context = note;
    }

    public synchronized String context() {
        return context;
    }

    /** Starts tracking an opened account with a zero balance and no transfers. */
    public synchronized void track(Account account) {
        if (accounts.putIfAbsent(account.id(), account) == null) {
            balances.put(account.id(), 0L);
            nextIndex.put(account.id(), 0L);
        }
    }

    /** The tracked accounts, in the order they were opened. */
    public synchronized List<Account> accounts() {
        return new ArrayList<>(accounts.values());
    }

    public synchronized Optional<Account> account(AccountId id) {
        return Optional.ofNullable(accounts.get(id));
    }

    public synchronized boolean isTracked(AccountId id) {
        return accounts.containsKey(id);
    }

    /** The balance the test expects the account to have now. */
    public synchronized long balance(AccountId id) {
        Long balance = balances.get(id);
        if (balance == null) {
            throw new IllegalStateException("account " + id + " is not tracked by the test");
        }
        return balance;
    }

    public synchronized void expectBalance(AccountId id, long balance) {
        balance(id);
        balances.put(id, balance);
    }

    /** The index the source's next debit must get. */
    public synchronized long nextIndex(AccountId source) {
        return nextIndex.getOrDefault(source, 0L);
    }

    /** The latest recorded time among the account's transfers in either direction, if it has any. */
    public synchronized Optional<Instant> latest(AccountId id) {
        return Optional.ofNullable(latest.get(id));
    }

    /** The time a debit of {@code source} attempted at clock reading {@code now} must be recorded at. */
    public synchronized Instant expectedRecordedAt(AccountId source, Instant now) {
        Instant last = latest.get(source);
        return last != null && last.isAfter(now) ? last : now;
    }

    /** Applies a transfer the store recorded. */
    public synchronized void recorded(Transfer transfer) {
        balances.merge(transfer.source(), -transfer.postedAmount(), Long::sum);
        balances.merge(transfer.destination(), transfer.postedAmount(), Long::sum);
        nextIndex.merge(transfer.source(), 1L, Long::sum);
        latest.merge(transfer.source(), transfer.recordedAt(), Books::max);
        // A debit is dated strictly after every credit it could spend: one microsecond after the newest.
        latest.merge(transfer.destination(), transfer.recordedAt().plus(1, ChronoUnit.MICROS), Books::max);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}

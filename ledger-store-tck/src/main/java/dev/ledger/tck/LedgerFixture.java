package dev.ledger.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementCursor;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.function.Executable;

/**
 * What every contract test sees: the ledger under test (over a fresh store), its clock, the store, the {@link Books} of
 * what the test expects, and helpers that write through the ledger and check the store against the books after every
 * write.
 *
 * <p>Tests open accounts with {@link #open} (or the {@code open...} shorthands) so that they are tracked, and record
 * new transfers with {@link #transfer} so that the result and every tracked balance are checked.
 */
public interface LedgerFixture {
    /** The currency of most tests. */
    String USD = "USD";
    /** A second currency, for mismatches. */
    String EUR = "EUR";
    /** The reference the ledger gives funding transfers of opening balances. */
    String FUNDING_REFERENCE = "opening balance";

    /** The ledger under test, over {@link #store()} and {@link #clock()}. */
    Ledger ledger();

    /** The ledger's clock; it only moves when the test moves it. */
    MutableClock clock();

    /** The store under test. Tests go through {@link #ledger()}; the store is here for store-specific checks. */
    LedgerStore store();

    /** What the test expects of the accounts it opened. */
    Books books();

    static AccountId id(String value) {
        return AccountId.of(value);
    }

    // ---------------------------------------------------------------------------------------------- accounts

    /**
     * Opens an account through the ledger, checks the account, its funding transfer and every tracked balance, and
     * tracks it.
     */
    default Account open(NewAccount request) {
        Instant now = clock().instant();
        Account account = ledger().open(request);
        assertEquals(
                new Account(
                        request.id(),
                        request.currency(),
                        request.issuer(),
                        now,
                        request.lowerLimit(),
                        request.upperLimit()),
                account,
                "opened account (openedAt is the clock reading)");
        books().track(account);
        assertEquals(Optional.of(account), ledger().account(request.id()), "account lookup after open");
        if (request.openingBalance() > 0) {
            AccountId issuer = Objects.requireNonNull(request.fundedBy(), "a funded account names its issuer");
            List<StatementLine> lines = fullStatement(request.id());
            assertEquals(1, lines.size(), "a funded account's statement holds just its funding transfer: " + lines);
            Transfer funding = lines.get(0).transfer();
            UUID expectedId = request.fundingTransferId() != null ? request.fundingTransferId() : funding.id();
            Transfer expected = new Transfer(
                    expectedId,
                    issuer,
                    books().nextIndex(issuer),
                    request.id(),
                    request.openingBalance(),
                    request.currency(),
                    books().expectedRecordedAt(issuer, now),
                    FUNDING_REFERENCE);
            assertEquals(expected, funding, "funding transfer of " + request.id());
            assertEquals(request.openingBalance(), lines.get(0).change(), "funding line change");
            assertEquals(
                    Optional.of(funding), ledger().findTransfer(funding.id()), "findTransfer of the funding transfer");
            books().recorded(funding);
        }
        assertBalances();
        return account;
    }

    default AccountId openAccount(String id) {
        return openAccount(id, USD);
    }

    default AccountId openAccount(String id, String currency) {
        return open(NewAccount.of(id(id), currency)).id();
    }

    default AccountId openIssuer(String id) {
        return openIssuer(id, USD);
    }

    default AccountId openIssuer(String id, String currency) {
        return open(NewAccount.issuer(id(id), currency)).id();
    }

    /** Opens an ordinary account holding {@code balance}, funded by {@code issuer} (in the issuer's currency). */
    default AccountId openFunded(String id, long balance, AccountId issuer) {
        String currency = books().account(issuer).orElseThrow().currency();
        return open(NewAccount.of(id(id), currency).withOpeningBalance(balance, issuer))
                .id();
    }

    // --------------------------------------------------------------------------------------------- transfers

    /** Records a new transfer in the source's currency, checked like {@link #transfer(TransferRequest)}. */
    default Transfer transfer(AccountId source, AccountId destination, long amount) {
        String currency = books().account(source).orElseThrow().currency();
        return transfer(TransferRequest.of(source, destination, amount, currency));
    }

    /**
     * Records a new transfer and checks it: its content is the request's, its index is the source's next, its time is
     * the clock reading clamped to the source's latest transfer, it can be found by id, and every tracked balance moved
     * by exactly its amount.
     */
    default Transfer transfer(TransferRequest request) {
        Instant now = clock().instant();
        Transfer transfer = ledger().transfer(request);
        UUID expectedId = request.id() != null ? request.id() : transfer.id();
        Transfer expected = new Transfer(
                expectedId,
                request.source(),
                books().nextIndex(request.source()),
                request.destination(),
                request.amount(),
                request.currency(),
                books().expectedRecordedAt(request.source(), now),
                request.reference(),
                request.metadata());
        assertEquals(expected, transfer, "recorded transfer");
        assertEquals(Optional.of(transfer), ledger().findTransfer(transfer.id()), "findTransfer after recording");
        books().recorded(transfer);
        assertBalances();
        return transfer;
    }

    // -------------------------------------------------------------------------------------- balances, checks

    /** Checks every tracked account's balance against the books. */
    default void assertBalances() {
        for (Account account : books().accounts()) {
            assertEquals(books().balance(account.id()), ledger().balance(account.id()), "balance of " + account.id());
        }
    }

    /** Checks one balance, against both the value given and the books. */
    default void assertBalance(AccountId id, long expected) {
        assertEquals(
                expected, books().balance(id), "the test's own expectation of " + id + " disagrees with its books");
        assertEquals(expected, ledger().balance(id), "balance of " + id);
    }

    /**
     * Runs a call that must be rejected with {@code reason}: checks the message names the reason, its rule and each of
     * {@code named} (by {@code toString}), and that nothing was recorded: every tracked balance and statement is as
     * before and the books still hold.
     */
    default LedgerRejectedException assertRejected(RejectionReason reason, Executable call, Object... named) {
        Snapshot before = snapshot();
        LedgerRejectedException e = assertThrows(LedgerRejectedException.class, call, "expected a rejection " + reason);
        assertEquals(reason, e.reason(), () -> "reason of: " + e.getMessage());
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains(reason.name()), () -> "message names the reason " + reason + ": " + message);
        assertTrue(message.contains(reason.rule()), () -> "message names the rule: " + message);
        for (Object value : named) {
            assertTrue(message.contains(String.valueOf(value)), () -> "message names " + value + ": " + message);
        }
        assertEquals(before, snapshot(), "a rejected call records nothing");
        assertBalances();
        return e;
    }

    /** Every tracked account's balance and full statement. */
    default Snapshot snapshot() {
        Map<AccountId, Long> balances = new LinkedHashMap<>();
        Map<AccountId, dev.ledger.core.Balances> views = new LinkedHashMap<>();
        Map<AccountId, List<StatementLine>> statements = new LinkedHashMap<>();
        for (Account account : books().accounts()) {
            balances.put(account.id(), ledger().balance(account.id()));
            views.put(account.id(), ledger().balances(account.id()));
            statements.put(account.id(), fullStatement(account.id()));
        }
        return new Snapshot(balances, views, statements);
    }

    /** What a rejected call must leave unchanged. */
    record Snapshot(
            Map<AccountId, Long> balances,
            Map<AccountId, dev.ledger.core.Balances> views,
            Map<AccountId, List<StatementLine>> statements) {}

    // ------------------------------------------------------------------------------------------- statements

    /** The account's whole statement, oldest first, read in pages of 100. */
    default List<StatementLine> fullStatement(AccountId id) {
        return readAll(StatementQuery.of(id));
    }

    /**
     * Reads every page of {@code query} (from its own cursor on), checking each page: at most {@code limit} lines, and
     * a {@code next} cursor exactly when a page is full and more lines follow, equal to the cursor of the page's last
     * line. Returns the lines of all pages in reading order.
     */
    default List<StatementLine> readAll(StatementQuery query) {
        List<StatementLine> all = new ArrayList<>();
        StatementQuery current = query;
        for (int pages = 0; ; pages++) {
            if (pages > 100_000) {
                fail("statement paging of " + query + " does not end");
            }
            StatementPage page = ledger().statement(current);
            assertTrue(page.lines().size() <= current.limit(), () -> "page larger than its limit: " + page);
            all.addAll(page.lines());
            StatementCursor next = page.next();
            if (next == null) {
                return all;
            }
            assertEquals(current.limit(), page.lines().size(), () -> "a page with a next cursor is full: " + page);
            assertEquals(page.lines().get(page.lines().size() - 1).cursor(), next, "next cursor is the last line's");
            current = current.after(next);
        }
    }

    /** Reads the whole statement both ways, with {@code limit} lines a page, and checks they agree. */
    default List<StatementLine> statementBothWays(
            AccountId id, int limit, @Nullable Instant from, @Nullable Instant to) {
        StatementQuery query = StatementQuery.of(id).limit(limit).from(from).to(to);
        List<StatementLine> forward = readAll(query);
        List<StatementLine> backward = new ArrayList<>(readAll(query.backward()));
        Collections.reverse(backward);
        assertEquals(forward, backward, "statement of " + id + " read forward and backward, " + limit + " a page");
        for (int i = 1; i < forward.size(); i++) {
            StatementCursor previous = forward.get(i - 1).cursor();
            StatementCursor current = forward.get(i).cursor();
            assertTrue(
                    StatementCursor.ORDER.compare(previous, current) < 0,
                    "statement lines strictly ordered by (recordedAt, id as unsigned bytes): " + previous + " then "
                            + current);
        }
        return forward;
    }

    /** Whether any line of the list is for this transfer. */
    default boolean containsTransfer(List<StatementLine> lines, UUID id) {
        return lines.stream().anyMatch(line -> line.transfer().id().equals(id));
    }

    /** Asserts that no transfer is recorded under {@code id}. */
    default void assertNotRecorded(UUID id) {
        assertEquals(Optional.empty(), ledger().findTransfer(id), "no transfer recorded under " + id);
        for (Account account : books().accounts()) {
            assertFalse(
                    containsTransfer(fullStatement(account.id()), id), "statement of " + account.id() + " lists " + id);
        }
    }

    /** A page's lines, for short assertions. */
    default List<Transfer> transfers(List<StatementLine> lines) {
        return lines.stream().map(StatementLine::transfer).toList();
    }

    /** Asserts the statement's lines are exactly these transfers in this order, with the right signs. */
    default void assertStatement(AccountId id, List<Transfer> expected) {
        List<StatementLine> lines = fullStatement(id);
        assertEquals(expected, transfers(lines), "statement of " + id);
        for (StatementLine line : lines) {
            long sign = line.transfer().source().equals(id) ? -1 : 1;
            assertEquals(sign * line.transfer().amount(), line.change(), "change of " + line);
        }
    }
}

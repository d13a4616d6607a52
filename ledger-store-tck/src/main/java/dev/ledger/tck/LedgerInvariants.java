package dev.ledger.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The invariants every ledger keeps whatever happened, checked over all tracked accounts after each test.
 *
 * <ul>
 *   <li>each account's statement reads the same forward and backward with any page size, strictly ordered;
 *   <li>its balance equals the sum of its statement's changes, and so does its balance as of any time;
 *   <li>each source's debits carry the indices 0..n-1 without gap or duplicate, dated in index order;
 *   <li>no ordinary account's balance is negative, now or as of any time;
 *   <li>every transfer appears, identically, in both accounts' statements and under its id;
 *   <li>the balances of all accounts sum to zero (issuers are negative by what they issued).
 * </ul>
 */
final class LedgerInvariants {
    /** How many distinct times per account are checked with balanceAsOf (the rest are checked by recomputation). */
    private static final int AS_OF_SAMPLES = 12;

    private LedgerInvariants() {}

    static void check(LedgerFixture f) {
        try {
            checkAll(f);
        } catch (AssertionError e) {
            String context = f.books().context();
            if (context.isEmpty()) {
                throw e;
            }
            throw new AssertionError(context + ": " + e.getMessage(), e);
        }
    }

    private static void checkAll(LedgerFixture f) {
        List<Account> accounts = f.books().accounts();
        Map<AccountId, Account> byId = new LinkedHashMap<>();
        for (Account account : accounts) {
            byId.put(account.id(), account);
            assertEquals(
                    Optional.of(account),
                    f.ledger().account(account.id()),
                    "invariant: account lookup of " + account.id());
        }
        Map<UUID, Transfer> transfers = new LinkedHashMap<>();
        Map<UUID, Integer> appearances = new HashMap<>();
        BigInteger total = BigInteger.ZERO;
        for (Account account : accounts) {
            AccountId id = account.id();
            List<StatementLine> lines = f.statementBothWays(id, 7, null, null);
            assertEquals(
                    lines,
                    f.readAll(StatementQuery.of(id).limit(StatementQuery.MAX_LIMIT)),
                    "invariant: statement of " + id + " in pages of 7 and of " + StatementQuery.MAX_LIMIT);

            long balance = 0;
            List<Transfer> debits = new ArrayList<>();
            for (StatementLine line : lines) {
                Transfer t = line.transfer();
                boolean debit = t.source().equals(id);
                assertTrue(
                        debit || t.destination().equals(id),
                        "invariant: line of " + id + " is not its transfer: " + line);
                assertEquals(
                        debit ? -t.postedAmount() : t.postedAmount(),
                        line.change(),
                        "invariant: change of line " + line + " of " + id);
                assertEquals(
                        account.currency(), t.currency(), "invariant: currency of " + t + " in statement of " + id);
                assertTrue(
                        byId.containsKey(t.source()) && byId.containsKey(t.destination()),
                        "invariant: transfer " + t
                                + " involves an account the test did not track (open accounts through the fixture)");
                Transfer seen = transfers.putIfAbsent(t.id(), t);
                assertEquals(
                        seen == null ? t : seen, t, "invariant: transfer " + t.id() + " differs between statements");
                appearances.merge(t.id(), 1, Integer::sum);
                balance = Math.addExact(balance, line.change());
                if (debit) {
                    debits.add(t);
                }
            }
            assertEquals(
                    balance,
                    f.ledger().balance(id),
                    "invariant: balance of " + id + " = sum of its statement's changes");
            if (!account.issuer()) {
                assertTrue(
                        balance >= account.lowerLimit(),
                        "invariant: ordinary account " + id + " has balance " + balance + " below its lower limit "
                                + account.lowerLimit());
            }
            assertTrue(
                    balance <= account.upperLimit(),
                    "invariant: account " + id + " has balance " + balance + " above its upper limit "
                            + account.upperLimit());
            total = total.add(BigInteger.valueOf(balance));

            debits.sort((a, b) -> Long.compare(a.sourceIndex(), b.sourceIndex()));
            for (int i = 0; i < debits.size(); i++) {
                assertEquals(
                        i,
                        debits.get(i).sourceIndex(),
                        "invariant: indices of source " + id + " run 0..n-1: " + debits);
                if (i > 0) {
                    assertTrue(
                            !debits.get(i)
                                    .recordedAt()
                                    .isBefore(debits.get(i - 1).recordedAt()),
                            "invariant: debits of " + id + " dated in index order: " + debits.get(i - 1) + " then "
                                    + debits.get(i));
                }
            }
            checkHistory(f, account, lines, balance);
        }
        for (Transfer t : transfers.values()) {
            assertEquals(
                    2,
                    appearances.get(t.id()),
                    "invariant: " + t + " appears in both its accounts' statements, once each");
            assertNotEquals(t.source(), t.destination());
            assertEquals(Optional.of(t), f.ledger().findTransfer(t.id()), "invariant: findTransfer(" + t.id() + ")");
        }
        assertEquals(BigInteger.ZERO, total, "invariant: the balances of all accounts sum to zero");
    }

    /** The balance after each distinct recorded time: never negative for an ordinary account; as the store says. */
    private static void checkHistory(LedgerFixture f, Account account, List<StatementLine> lines, long balance) {
        AccountId id = account.id();
        List<Instant> times = new ArrayList<>();
        List<Long> balances = new ArrayList<>();
        long running = 0;
        for (int i = 0; i < lines.size(); i++) {
            running += lines.get(i).change();
            Instant t = lines.get(i).transfer().recordedAt();
            if (i + 1 == lines.size()
                    || !lines.get(i + 1).transfer().recordedAt().equals(t)) {
                times.add(t);
                balances.add(running);
                if (!account.issuer()) {
                    long asOf = running;
                    assertTrue(
                            asOf >= account.lowerLimit(),
                            () -> "invariant: ordinary account " + id + " has balance " + asOf
                                    + " as of " + t + ", below its lower limit " + account.lowerLimit()
                                    + " (a debit dated before what funded it?)");
                }
                long asOf = running;
                assertTrue(
                        asOf <= account.upperLimit(),
                        () -> "invariant: account " + id + " has balance " + asOf + " as of " + t
                                + ", above its upper limit " + account.upperLimit());
            }
        }
        if (times.isEmpty()) {
            assertEquals(
                    0,
                    f.ledger().balanceAsOf(id, account.openedAt()),
                    "invariant: balance of " + id + " with no transfers");
            return;
        }
        Instant first = times.get(0);
        assertEquals(
                0,
                f.ledger().balanceAsOf(id, first.minus(1, ChronoUnit.MICROS)),
                "invariant: balance of " + id + " before its first transfer");
        assertEquals(
                balance,
                f.ledger().balanceAsOf(id, times.get(times.size() - 1)),
                "invariant: balance of " + id + " as of its last transfer");
        int step = Math.max(1, times.size() / AS_OF_SAMPLES);
        for (int i = 0; i < times.size(); i += step) {
            assertEquals(
                    balances.get(i),
                    f.ledger().balanceAsOf(id, times.get(i)),
                    "invariant: balance of " + id + " as of " + times.get(i) + " = its statement up to then");
        }
        checkHolds(f, account, lines, times, balances);
    }

    /**
     * The balance views from the statement: each pending line holds its amount from its time until the first of its
     * resolution's time (a post or void line naming it) and its expiry. As of each distinct time (sampled), the store's
     * pending debits and credits are those, the available balance is at or above the lower limit and the posted balance
     * plus the pending credits at or below the upper limit; now too.
     */
    private static void checkHolds(
            LedgerFixture f, Account account, List<StatementLine> lines, List<Instant> times, List<Long> balances) {
        AccountId id = account.id();
        Map<UUID, Instant> ends = new HashMap<>();
        List<Transfer> pendings = new ArrayList<>();
        for (StatementLine line : lines) {
            Transfer t = line.transfer();
            if (t.isPending()) {
                pendings.add(t);
                ends.putIfAbsent(t.id(), t.expiresAt() == null ? Instant.MAX : t.expiresAt());
            }
        }
        // (a resolution may share its pending's microsecond, and then sort before it by id)
        for (StatementLine line : lines) {
            Transfer t = line.transfer();
            if (t.pendingId() != null) {
                Instant end = ends.get(t.pendingId());
                assertTrue(end != null, "invariant: " + t + " resolves a pending transfer listed in " + id);
                assertTrue(
                        t.recordedAt().isBefore(end),
                        "invariant: " + t + " is recorded before its pending's expiry " + end);
                ends.put(t.pendingId(), t.recordedAt());
            }
        }
        if (pendings.isEmpty()) {
            assertEquals(
                    new Balances(f.ledger().balance(id), 0, 0),
                    f.ledger().balances(id),
                    "invariant: balances of " + id);
            return;
        }
        int step = Math.max(1, times.size() / AS_OF_SAMPLES);
        List<Integer> sampled = new ArrayList<>();
        for (int i = 0; i < times.size(); i += step) {
            sampled.add(i);
        }
        for (int i : sampled) {
            Instant at = times.get(i);
            long debits = 0;
            long credits = 0;
            for (Transfer p : pendings) {
                if (!p.recordedAt().isAfter(at) && at.isBefore(ends.get(p.id()))) {
                    if (p.source().equals(id)) {
                        debits += p.amount();
                    } else {
                        credits += p.amount();
                    }
                }
            }
            Balances expected = new Balances(balances.get(i), debits, credits);
            assertEquals(expected, f.ledger().balancesAsOf(id, at), "invariant: balances of " + id + " as of " + at);
            if (!account.issuer()) {
                assertTrue(
                        expected.available() >= account.lowerLimit(),
                        "invariant: available balance of " + id + " as of " + at + " is " + expected.available()
                                + ", below its lower limit " + account.lowerLimit());
            }
            assertTrue(
                    expected.posted() + credits <= account.upperLimit(),
                    "invariant: posted plus pending credits of " + id + " as of " + at + " above its upper limit "
                            + account.upperLimit());
        }
        Instant now = f.clock().instant();
        long debits = 0;
        long credits = 0;
        for (Transfer p : pendings) {
            Instant end = Objects.requireNonNull(ends.get(p.id()));
            if (now.isBefore(end) && end.equals(p.expiresAt() == null ? Instant.MAX : p.expiresAt())) {
                if (p.source().equals(id)) {
                    debits += p.amount();
                } else {
                    credits += p.amount();
                }
            }
        }
        assertEquals(
                new Balances(f.ledger().balance(id), debits, credits),
                f.ledger().balances(id),
                "invariant: balances of " + id + " now (" + now + ")");
    }
}

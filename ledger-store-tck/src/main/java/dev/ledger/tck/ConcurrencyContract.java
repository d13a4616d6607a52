package dev.ledger.tck;

import static dev.ledger.tck.LedgerFixture.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.testing.ConcurrentRun;
import dev.ledger.testing.ConcurrentRun.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads at once: debits of one source are serialised (conflicts retried, never surfaced), no balance is
 * overdrawn, money is conserved, and an id is recorded at most once.
 */
public interface ConcurrencyContract extends LedgerFixture {

    private static <T> void assertAllSucceeded(List<Outcome<T>> outcomes) {
        for (Outcome<T> outcome : outcomes) {
            if (!outcome.succeeded()) {
                fail("a concurrent call failed: " + outcome.error(), outcome.error());
            }
        }
    }

    private static RejectionReason reasonOf(Outcome<?> outcome) {
        if (outcome.error() instanceof LedgerRejectedException rejected) {
            return rejected.reason();
        }
        return fail("expected a success or a rejection, got " + outcome.error(), outcome.error());
    }

    private List<Long> debitIndices(AccountId source, List<Transfer> transfers) {
        return transfers.stream()
                .filter(t -> t.source().equals(source))
                .map(Transfer::sourceIndex)
                .sorted()
                .toList();
    }

    private static List<Long> range(long n) {
        List<Long> values = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            values.add(i);
        }
        return values;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    default void transfer_twentyThreadsDebitOneFromThree_exactlyThreeSucceed() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 3, bank);
        AccountId bob = openAccount("bob");
        List<Outcome<Transfer>> outcomes = ConcurrentRun.run(20, i -> ledger().transfer(alice, bob, 1, USD));
        List<Transfer> recorded = new ArrayList<>();
        int insufficient = 0;
        for (Outcome<Transfer> outcome : outcomes) {
            if (outcome.succeeded()) {
                recorded.add(outcome.value());
            } else {
                assertEquals(RejectionReason.INSUFFICIENT_FUNDS, reasonOf(outcome), () -> "outcome " + outcome);
                insufficient++;
            }
        }
        assertEquals(3, recorded.size(), "successful debits of 1 from a balance of 3");
        assertEquals(17, insufficient);
        assertEquals(List.of(0L, 1L, 2L), debitIndices(alice, recorded));
        books().expectBalance(alice, 0);
        books().expectBalance(bob, 3);
        assertBalances();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    default void transfer_twentyThreadsDebitOneFromHundred_allSucceed() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        List<Outcome<Transfer>> outcomes = ConcurrentRun.run(20, i -> ledger().transfer(alice, bob, 1, USD));
        assertAllSucceeded(outcomes);
        List<Transfer> recorded = outcomes.stream().map(Outcome::value).toList();
        assertEquals(range(20), debitIndices(alice, recorded));
        books().expectBalance(alice, 80);
        books().expectBalance(bob, 20);
        assertBalance(alice, 80);
        assertBalance(bob, 20);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    default void transfer_concurrentReplaysOfOneId_recordedOnceAndAllGetIt() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 10, bank);
        AccountId bob = openAccount("bob");
        TransferRequest request =
                TransferRequest.of(alice, bob, 7, USD).withId(UUID.randomUUID()).withReference("once");
        List<Outcome<Transfer>> outcomes = ConcurrentRun.run(16, i -> ledger().transfer(request));
        assertAllSucceeded(outcomes);
        Transfer recorded =
                ledger().findTransfer(Objects.requireNonNull(request.id())).orElseThrow();
        for (Outcome<Transfer> outcome : outcomes) {
            assertEquals(recorded, outcome.value(), "every caller gets the one recorded transfer");
        }
        assertEquals(0, recorded.sourceIndex());
        assertEquals(2, fullStatement(alice).size(), "funding and one debit");
        books().expectBalance(alice, 3);
        books().expectBalance(bob, 7);
        assertBalances();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    default void transfer_concurrentReplaysWithDifferentContent_oneRecordedOthersRejected() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        UUID id = UUID.randomUUID();
        List<Outcome<Transfer>> outcomes = ConcurrentRun.run(12, i -> ledger().transfer(
                        TransferRequest.of(bank, alice, 1 + (i % 3), USD).withId(id)));
        Transfer recorded = ledger().findTransfer(id).orElseThrow();
        for (Outcome<Transfer> outcome : outcomes) {
            if (outcome.succeeded()) {
                assertEquals(recorded, outcome.value());
            } else {
                assertEquals(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT, reasonOf(outcome));
            }
        }
        assertEquals(
                4, outcomes.stream().filter(Outcome::succeeded).count(), "the 4 requests with the winner's amount");
        assertEquals(1, fullStatement(alice).size());
        books().expectBalance(alice, recorded.amount());
        books().expectBalance(bank, -recorded.amount());
        assertBalances();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    default void open_sameIdFromManyThreads_exactlyOneOpens() {
        AccountId bank = openIssuer("bank");
        List<Outcome<Account>> outcomes = ConcurrentRun.run(
                8, i -> ledger().open(NewAccount.of(id("alice"), USD).withOpeningBalance(10 + i, bank)));
        Account opened = null;
        for (Outcome<Account> outcome : outcomes) {
            if (outcome.succeeded()) {
                assertEquals(null, opened, "a second open succeeded");
                opened = outcome.value();
            } else {
                assertEquals(RejectionReason.ACCOUNT_EXISTS, reasonOf(outcome));
            }
        }
        assertTrue(opened != null, "one open succeeds");
        books().track(opened);
        long balance = ledger().balance(opened.id());
        assertTrue(balance >= 10 && balance < 18, "the winner's opening balance: " + balance);
        assertEquals(1, fullStatement(bank).size(), "the losers recorded no funding");
        books().expectBalance(opened.id(), balance);
        books().expectBalance(bank, -balance);
        assertBalances();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    default void open_fundedFromOneIssuerOnManyThreads_allOpenWithDistinctIndices() {
        AccountId bank = openIssuer("bank");
        List<Outcome<Account>> outcomes = ConcurrentRun.run(
                8, i -> ledger().open(NewAccount.of(id("acct-" + i), USD).withOpeningBalance(100, bank)));
        assertAllSucceeded(outcomes);
        for (Outcome<Account> outcome : outcomes) {
            Account opened = Objects.requireNonNull(outcome.value());
            books().track(opened);
            books().expectBalance(opened.id(), 100);
        }
        books().expectBalance(bank, -800);
        assertBalances();
        assertEquals(range(8), debitIndices(bank, transfers(fullStatement(bank))));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    default void transfer_randomTransfersOnEightThreads_moneyConservedAndNothingOverdrawn() {
        long seed = Long.getLong("ledger.test.seed", new SplittableRandom().nextLong());
        System.out.println("ConcurrencyContract random transfers seed=" + seed);
        books().context("ConcurrencyContract random transfers seed=" + seed);
        int accountCount = 10;
        int threads = 8;
        int operationsPerThread = 40;
        long initial = 1_000;
        AccountId bank = openIssuer("bank");
        List<AccountId> accounts = new ArrayList<>();
        for (int i = 0; i < accountCount; i++) {
            accounts.add(openFunded("acct-" + i, initial, bank));
        }
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        List<Outcome<List<Transfer>>> outcomes = ConcurrentRun.run(threads, worker -> {
            SplittableRandom random = new SplittableRandom(seed + worker);
            List<Transfer> mine = new ArrayList<>();
            for (int op = 0; op < operationsPerThread; op++) {
                AccountId source = accounts.get(random.nextInt(accountCount));
                AccountId destination = accounts.get(random.nextInt(accountCount));
                if (source.equals(destination)) {
                    continue;
                }
                if (random.nextInt(8) == 0) {
                    clock().advanceMicros(1 + random.nextInt(3));
                }
                long amount = 1 + random.nextLong(400);
                try {
                    mine.add(ledger().transfer(source, destination, amount, USD));
                } catch (LedgerRejectedException e) {
                    if (e.reason() != RejectionReason.INSUFFICIENT_FUNDS) {
                        violations.add("seed=" + seed + " unexpected rejection: " + e.getMessage());
                    }
                }
                for (AccountId id : List.of(source, destination)) {
                    long balance = ledger().balance(id);
                    if (balance < 0) {
                        violations.add("seed=" + seed + " balance of " + id + " seen negative: " + balance);
                    }
                }
            }
            return mine;
        });
        assertAllSucceeded(outcomes);
        assertEquals(List.of(), new ArrayList<>(violations), "seed=" + seed);

        List<Transfer> recorded = new ArrayList<>();
        outcomes.forEach(outcome -> recorded.addAll(outcome.value()));
        assertTrue(recorded.size() > 0, "seed=" + seed + ": some transfers succeed");
        Map<AccountId, Long> recomputed = new HashMap<>();
        accounts.forEach(id -> recomputed.put(id, initial));
        for (Transfer t : recorded) {
            recomputed.merge(t.source(), -t.amount(), Long::sum);
            recomputed.merge(t.destination(), t.amount(), Long::sum);
            assertEquals(Optional.of(t), ledger().findTransfer(t.id()), "seed=" + seed);
        }
        long sum = 0;
        for (AccountId id : accounts) {
            long balance = ledger().balance(id);
            assertEquals(
                    recomputed.get(id),
                    balance,
                    "seed=" + seed + ": balance of " + id + " = recomputation from transfers");
            assertTrue(balance >= 0, "seed=" + seed + ": balance of " + id);
            assertEquals(
                    range(debitIndices(id, recorded).size()),
                    debitIndices(id, recorded),
                    "seed=" + seed + ": indices of source " + id);
            assertEquals(
                    debitIndices(id, recorded).size()
                            + 1
                            + recorded.stream()
                                    .filter(t -> t.destination().equals(id))
                                    .count(),
                    fullStatement(id).size(),
                    "seed=" + seed + ": statement of " + id);
            books().expectBalance(id, balance);
            sum += balance;
        }
        assertEquals(accountCount * initial, sum, "seed=" + seed + ": money is conserved");
        assertBalance(bank, -accountCount * initial);
    }
}
